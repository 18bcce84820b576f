import AllocationCounter
import CrossingCore
import Testing

@Suite("Loop pair detector")
struct LoopPairDetectorTests {
    /// Front position of a vehicle moving at `speed` m/s from `startM`, starting at `t0`.
    static func moving(from startM: Double, speed: Double, at t0: Double) -> (Double) -> Double {
        { t in startM + speed * max(0, t - t0) }
    }

    @Test("A car each way counts once, in its direction, with its length and speed")
    func carEachWay() throws {
        var feeder = try LoopFeeder()
        try feeder.run(untilS: 2, [])
        let out = try feeder.run(untilS: 6, [.car(frontM: Self.moving(from: -5, speed: 10, at: 2))])
        let back = try feeder.run(untilS: 12, [.car(frontM: { t in 15 - 8 * max(0, t - 7) })])
        #expect(out.count == 1 && back.count == 1)
        #expect(out.first?.crossing.direction == .outbound)
        #expect(back.first?.crossing.direction == .inbound)
        #expect(out.first?.crossing.crossingClass == .car)
        #expect(abs(Double(out.first?.speedMmPerS ?? 0) - 10_000) < 500)
        #expect(abs(Double(out.first?.lengthMm ?? 0) - 4500) < 450)
        #expect(feeder.detector.total(.car, .outbound) == 1 && feeder.detector.total(.car, .inbound) == 1)
    }

    @Test("A car standing on both loops for 30 minutes counts once, as a car, and is flagged locked-on")
    func stopOverLoopsForHalfAnHour() throws {
        let vehicles = try Self.stopAndGo()
        #expect(vehicles.count == 1)
        #expect(vehicles.first?.crossing.crossingClass == .car)
    }

    @Test("The length of a car that stood on the loops for 30 minutes is within 10 %")
    func stopAndGoLength() throws {
        let vehicles = try Self.stopAndGo()
        #expect(abs(Double(vehicles.first?.lengthMm ?? 0) - 4500) < 450)
    }

    static func stopAndGo() throws -> [LoopVehicle] {
        var config = LoopConfig()
        config.sampleRateHz = 50
        var feeder = try LoopFeeder(config: config)
        // The baseline learns for 200 samples: 4 s at 50 Hz.
        try feeder.run(untilS: 5, [])
        // In at 2 m/s, stop with the front past B, stand 1800 s, leave at 1 m/s.
        let car = LoopVehicleShape.car { t in
            if t < 5 { return -3 }
            let arrive = min(-3 + 2 * (t - 5), 6)
            let leaveStart = 5 + 4.5 + 1800
            return t < leaveStart ? arrive : 6 + 1 * (t - leaveStart)
        }
        var vehicles = try feeder.run(untilS: 1000, [car])
        #expect(feeder.detector.faults.a.contains(.lockedOn))
        vehicles += try feeder.run(untilS: 1835, [car])
        #expect(feeder.detector.health.lockedOn == 2)
        #expect(!feeder.detector.faults.a.contains(.lockedOn))
        #expect(feeder.detector.grandTotal == 1)
        return vehicles
    }

    @Test("Three cars creeping nose to tail keep loop A occupied throughout: three vehicles, outbound")
    func noseToTailQueue() throws {
        var feeder = try LoopFeeder()
        try feeder.run(untilS: 2, [])
        // 0.6 m apart at 1 m/s, each speeding off at 6 m/s once its rear has left loop A (front
        // at 6.5 m): the gaps pass A too small to clear it and B wide open.
        let cars = (0..<3).map { index in
            LoopVehicleShape.car { t in
                let front = -3 - 5.1 * Double(index) + max(0, t - 2)
                let reachS = 2 + (6.5 + 3 + 5.1 * Double(index))
                return front < 6.5 ? front : 6.5 + 6 * (t - reachS)
            }
        }
        let vehicles = try feeder.run(untilS: 40, cars)
        #expect(vehicles.count == 3)
        #expect(vehicles.allSatisfy { $0.crossing.direction == .outbound })
        #expect(feeder.detector.health.merged == 2)
        #expect(feeder.detector.health.singleLoopVehicles == 0)
        #expect(feeder.detector.faults.a.isEmpty && feeder.detector.faults.b.isEmpty)
    }

    @Test("A truck and its drawbar trailer count once; two cars a few metres apart count twice")
    func trailerGapAndTailgating() throws {
        var feeder = try LoopFeeder()
        try feeder.run(untilS: 2, [])
        // 8 m truck, 1.5 m drawbar reading 20 ppm per metre, 7 m trailer.
        let profile = [Double](repeating: 1600, count: 16) + [Double](repeating: 20, count: 5) + [Double](repeating: 1200, count: 14)
        let truck = LoopVehicleShape(profilePpmPerM: profile, frontM: Self.moving(from: -3, speed: 6, at: 2))
        let trucks = try feeder.run(untilS: 10, [truck])
        #expect(trucks.count == 1)
        #expect(trucks.first?.vehicleClass == .truckWithTrailer)
        #expect(trucks.first?.crossing.crossingClass == .bus)
        #expect(feeder.detector.health.trailersJoined >= 1)
        let lead = LoopVehicleShape.car(frontM: Self.moving(from: -3, speed: 12, at: 11))
        let follower = LoopVehicleShape.car(frontM: Self.moving(from: -3 - 4.5 - 7, speed: 12, at: 11))
        let cars = try feeder.run(untilS: 16, [lead, follower])
        #expect(cars.count == 2)
        #expect(cars.allSatisfy { $0.vehicleClass == .car })
    }

    @Test("With loop B open the lane keeps counting, direction unknown, and flags the fault")
    func openLoop() throws {
        var feeder = try LoopFeeder()
        try feeder.run(untilS: 2, [])
        feeder.statusB = .open
        var vehicles: [LoopVehicle] = []
        for index in 0..<5 {
            let start = 3 + Double(index) * 4
            vehicles += try feeder.run(untilS: start + 4, [.car(frontM: Self.moving(from: -5, speed: 10, at: start))])
        }
        #expect(vehicles.count == 5)
        #expect(vehicles.allSatisfy { $0.crossing.direction == .unknown })
        #expect(feeder.detector.faults.b.contains(.open))
        #expect(feeder.detector.health.channelFailures == 1)
        #expect(feeder.detector.total(.car, .unknown) == 5)
    }

    @Test("A silent loop A is flagged no-hits, and no vehicle is lost on the way")
    func silentLoop() throws {
        var feeder = try LoopFeeder()
        try feeder.run(untilS: 2, [])
        feeder.deadA = true
        var vehicles: [LoopVehicle] = []
        for index in 0..<10 {
            let start = 3 + Double(index) * 4
            vehicles += try feeder.run(untilS: start + 4, [.car(frontM: Self.moving(from: -5, speed: 10, at: start))])
        }
        #expect(feeder.detector.faults.a.contains(.noHits))
        #expect(vehicles.count == 10)
        #expect(feeder.detector.grandTotal == 10)
        #expect(feeder.detector.total(.car, .unknown) == 10)
    }

    @Test("A scan whose time does not move forward is refused and changes nothing")
    func refusesBadScans() throws {
        var feeder = try LoopFeeder()
        try feeder.run(untilS: 1, [])
        let reading = LoopReading(shiftPpm: 0, timestampUs: 1)
        #expect(throws: FrameError.self) {
            try feeder.detector.process(header: LoopFrameHeader(sequence: feeder.sequence, timestampUs: 1), a: reading, b: reading)
        }
        #expect(feeder.detector.health.samplesRejected == 1)
        var bad = LoopConfig()
        bad.offPpm = bad.onPpm
        #expect(throws: ConfigError.self) { try LoopPairDetector(config: bad) }
    }

    @Test("One million scans allocate nothing")
    func millionScansZeroAllocations() throws {
        var feeder = try LoopFeeder()
        try feeder.run(untilS: 2, [])
        // A recorded cycle of a car passing, then quiet road.
        var cycle: [(Int32, Int32)] = []
        let car = LoopVehicleShape.car(frontM: Self.moving(from: -5, speed: 10, at: 0))
        for step in 0..<400 {
            let t = Double(step) * 0.005
            cycle.append((Int32(feeder.shift(loopFromM: 0, toM: 1.5, vehicles: [car], atS: t)),
                          Int32(feeder.shift(loopFromM: 4, toM: 5.5, vehicles: [car], atS: t))))
        }
        var detector = feeder.detector
        var sequence = feeder.sequence
        var timeUs = UInt64(feeder.timeS * 1_000_000) + 10
        func run(_ scans: Int) throws {
            for index in 0..<scans {
                let (a, b) = cycle[index % cycle.count]
                try detector.process(
                    header: LoopFrameHeader(sequence: sequence, timestampUs: timeUs),
                    a: LoopReading(shiftPpm: 300 + a, timestampUs: timeUs),
                    b: LoopReading(shiftPpm: -200 + b, timestampUs: timeUs + 2_500))
                sequence &+= 1
                timeUs &+= 5_000
                while detector.popClosedBin() != nil {}
            }
        }
        try run(20_000)
        let countedBefore = detector.grandTotal
        let before = allocation_counter_thread_allocations()
        try run(1_000_000)
        let allocations = allocation_counter_thread_allocations() - before
        #expect(allocations == 0)
        #expect(detector.grandTotal - countedBefore == UInt64(1_000_000 / cycle.count))
    }
}
