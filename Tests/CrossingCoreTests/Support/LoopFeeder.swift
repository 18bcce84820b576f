import CrossingCore

/// A vehicle for hand-built loop signals: metal along its length, `profile[i]` ppm per metre
/// over a loop for each 0.5 m from its front (0 for a gap with nothing under it).
struct LoopVehicleShape {
    var profilePpmPerM: [Double]
    /// Front position at a time, in metres along the lane (loop A's leading edge at 0).
    var frontM: (Double) -> Double

    /// A car: a low flat floor between higher, sparser bonnet and boot. A loop cannot tell a
    /// perfectly flat slab creeping over it from one standing; a real underbody is not flat.
    static func car(lengthM: Double = 4.5, frontM: @escaping (Double) -> Double) -> LoopVehicleShape {
        let ends = [Double](repeating: 500, count: 2)
        let floor = [Double](repeating: 1600, count: Int(lengthM * 2) - 4)
        return LoopVehicleShape(profilePpmPerM: ends + floor + ends, frontM: frontM)
    }

    var lengthM: Double { Double(profilePpmPerM.count) / 2 }
}

/// Builds loop scans by hand: each loop senses metal over its length and 0.3 m either side,
/// with a small deterministic ripple, and B is read 2.5 ms after A.
struct LoopFeeder {
    var detector: LoopPairDetector
    var sequence: UInt32 = 1
    var timeS = 0.0
    static let noiseSeed: UInt64 = 0x9E37_79B9_7F4A_7C15
    var noiseState = noiseSeed
    var statusA = LoopStatus.ok
    var statusB = LoopStatus.ok
    /// Loop A reads nothing but noise (a cut feeder that still oscillates).
    var deadA = false
    let periodS: Double

    init(config: LoopConfig = LoopConfig()) throws {
        detector = try LoopPairDetector(config: config)
        periodS = 1 / Double(config.sampleRateHz)
    }

    mutating func noise() -> Int32 {
        noiseState = noiseState &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int32((noiseState >> 33) % 9) - 4
    }

    func shift(loopFromM lo: Double, toM hi: Double, vehicles: [LoopVehicleShape], atS t: Double) -> Double {
        var total = 0.0
        for vehicle in vehicles {
            let front = vehicle.frontM(t)
            for (index, ppm) in vehicle.profilePpmPerM.enumerated() where ppm > 0 {
                let segFront = front - Double(index) * 0.5
                let a = max(segFront - 0.5, lo - 0.3)
                let b = min(segFront, hi + 0.3)
                if b > a { total += ppm * (b - a) }
            }
        }
        return total / (hi - lo + 0.6) * 1.5
    }

    /// Feeds scans up to `untilS`; returns the vehicles completed on the way.
    @discardableResult
    mutating func run(untilS: Double, _ vehicles: [LoopVehicleShape]) throws -> [LoopVehicle] {
        var done: [LoopVehicle] = []
        let config = detector.config
        let lengthM = Double(config.loopLengthMm) / 1000
        let spacingM = Double(config.loopSpacingMm) / 1000
        while timeS < untilS {
            let aUs = UInt64(timeS * 1_000_000) + 1
            let bUs = aUs + 2_500
            let aPpm = deadA ? 0 : shift(loopFromM: 0, toM: lengthM, vehicles: vehicles, atS: timeS)
            let bPpm = shift(loopFromM: spacingM, toM: spacingM + lengthM, vehicles: vehicles, atS: timeS + 0.0025)
            let a = LoopReading(shiftPpm: 300 + Int32(aPpm) + noise(), timestampUs: aUs, status: statusA)
            let b = LoopReading(shiftPpm: -200 + Int32(bPpm) + noise(), timestampUs: bUs, status: statusB)
            let count = try detector.process(header: LoopFrameHeader(sequence: sequence, timestampUs: aUs), a: a, b: b)
            for index in 0..<count { done.append(detector.lastVehicle(index)) }
            sequence &+= 1
            timeS += periodS
        }
        return done
    }
}
