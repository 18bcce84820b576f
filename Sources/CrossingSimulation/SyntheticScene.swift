import CrossingCore
import Foundation

/// One object's passage under a lane's sensor, at constant speed.
public struct Passage: Sendable {
    public var body: Body
    public var towardLastRow: Bool
    public var acrossM: Double
    public var speedMps: Double
    /// When the object's front reaches the edge of the view.
    public var enterS: Double
    /// When its reference point crosses the counting line.
    public var crossS: Double
    /// When its rear leaves the view.
    public var exitS: Double
}

/// How often each class arrives in each direction, per hour.
public struct TrafficMix: Sendable {
    public var perHour: [CrossingClass: (outbound: Double, inbound: Double)]

    public init(perHour: [CrossingClass: (outbound: Double, inbound: Double)]) {
        self.perHour = perHour
    }
}

/// A lane of a synthetic scene: the sensor, its geometry, and the passages drawn for it.
public struct SyntheticLane: Sendable {
    public let name: String
    public let config: LaneConfig
    public let renderer: DepthRenderer
    public let sensor: SensorModel
    public let frameRateHz: Double
    public let widthM: Double
    public let passages: [Passage]

    /// Draws passages for `durationS` seconds from `mix`. Directions keep to their own half of
    /// the lane (keep right), and an arrival waits until it would not run into the one ahead.
    public init(
        name: String, side: Int = 8, mountHeightM: Double, fieldOfViewDeg: Double = 45,
        frameRateHz: Double = 15, widthM: Double, orientation: LaneOrientation = .outboundTowardLastRow,
        sensor: SensorModel = SensorModel(), mix: TrafficMix, durationS: Double, random: inout SplitMix64
    ) {
        renderer = DepthRenderer(side: side, mountHeightM: mountHeightM, fieldOfViewDeg: fieldOfViewDeg)
        var config = LaneConfig()
        config.side = UInt8(side)
        config.mountHeightMm = UInt16(mountHeightM * 1000)
        config.floorSpanMm = UInt16(renderer.floorSpanM * 1000)
        config.orientation = orientation
        self.name = name
        self.config = config
        self.sensor = sensor
        self.frameRateHz = frameRateHz
        self.widthM = widthM
        passages = SyntheticLane.draw(
            mix: mix, durationS: durationS, widthM: widthM, orientation: orientation,
            halfSpanM: renderer.halfSpanM, random: &random)
    }

    /// The crossings a perfect counter would report, per (class, direction).
    public func truth(untilS: Double) -> [CrossingClass: (outbound: Int, inbound: Int)] {
        var out: [CrossingClass: (outbound: Int, inbound: Int)] = [:]
        for passage in passages where passage.crossS < untilS {
            let outbound = passage.towardLastRow == (config.orientation == .outboundTowardLastRow)
            var cell = out[passage.body.crossingClass] ?? (0, 0)
            if outbound { cell.outbound += 1 } else { cell.inbound += 1 }
            out[passage.body.crossingClass] = cell
        }
        return out
    }

    private static func draw(
        mix: TrafficMix, durationS: Double, widthM: Double, orientation: LaneOrientation,
        halfSpanM: Double, random: inout SplitMix64
    ) -> [Passage] {
        var passages: [Passage] = []
        let classes: [CrossingClass] = [.pedestrian, .bicycle, .car, .bus]
        for towardLastRow in [true, false] {
            let outbound = towardLastRow == (orientation == .outboundTowardLastRow)
            var stream: [Passage] = []
            for crossingClass in classes {
                guard let rates = mix.perHour[crossingClass] else { continue }
                let rate = outbound ? rates.outbound : rates.inbound
                guard rate > 0 else { continue }
                var t = random.exponential(mean: 3600 / rate)
                while t < durationS {
                    stream.append(passage(crossingClass, towardLastRow: towardLastRow, at: t, widthM: widthM,
                                          halfSpanM: halfSpanM, random: &random))
                    t += random.exponential(mean: 3600 / rate)
                }
            }
            stream.sort { $0.enterS < $1.enterS }
            passages += spaced(stream, halfSpanM: halfSpanM)
        }
        return passages.sorted { $0.enterS < $1.enterS }
    }

    private static func passage(
        _ crossingClass: CrossingClass, towardLastRow: Bool, at enterS: Double, widthM: Double,
        halfSpanM: Double, random: inout SplitMix64
    ) -> Passage {
        let body: Body
        let speedMps: Double
        switch crossingClass {
        case .pedestrian:
            body = .person(statureM: random.uniform(1.5...1.9))
            speedMps = random.uniform(1.0...1.6)
        case .bicycle:
            body = .bicycle(riderStatureM: random.uniform(1.6...1.9))
            speedMps = random.uniform(3.5...7.0)
        case .car:
            body = .car(lengthM: random.uniform(4.0...5.0), widthM: random.uniform(1.7...1.9), roofM: random.uniform(1.4...1.7))
            speedMps = random.uniform(1.5...5.0)
        case .bus:
            body = random.chance(0.3)
                ? .articulated(trailerLengthM: random.uniform(10...13.6))
                : .bus(lengthM: random.uniform(10...13), widthM: 2.5, roofM: random.uniform(3.0...3.6))
            speedMps = random.uniform(1.5...4.0)
        }
        // Keep right: each direction uses its own half, and a body stays inside the lane.
        let halfWidthM = widthM / 2
        let bodyHalfM = (body.boxes.map { max(-$0.acrossMin, $0.acrossMax) }.max() ?? 0.3)
        let slackM = max(halfWidthM - 2 * bodyHalfM, 0)
        let centreM = (towardLastRow ? 1.0 : -1.0) * (bodyHalfM + random.uniform(0...1) * slackM)
        let acrossM = widthM < 2 * bodyHalfM + 0.4 || crossingClass == .car || crossingClass == .bus ? 0 : centreM
        let lengthM = body.lengthM
        let pathM = 2 * halfSpanM + lengthM + 1.0
        return Passage(
            body: body, towardLastRow: towardLastRow, acrossM: acrossM, speedMps: speedMps,
            enterS: enterS, crossS: enterS + (halfSpanM + lengthM / 2 + 0.5) / speedMps,
            exitS: enterS + (pathM + lengthM) / speedMps)
    }

    /// Delays arrivals that would catch up with the one ahead on the same side while in view.
    private static func spaced(_ stream: [Passage], halfSpanM: Double) -> [Passage] {
        var out: [Passage] = []
        for var passage in stream {
            if let ahead = out.last {
                let gapM = 1.0 + (ahead.body.lengthM + passage.body.lengthM) / 2
                // Earliest start so the gap holds at entry and at the moment `ahead` leaves view.
                let atEntry = ahead.enterS + gapM / ahead.speedMps
                let followerPathM = ahead.speedMps * (ahead.exitS - ahead.enterS) - gapM
                let atExit = ahead.exitS - followerPathM / passage.speedMps
                let startS = max(passage.enterS, atEntry, atExit)
                let shiftS = startS - passage.enterS
                passage.enterS += shiftS
                passage.crossS += shiftS
                passage.exitS += shiftS
            }
            out.append(passage)
        }
        return out
    }

    /// The bodies in view at time `t`.
    func bodies(at t: Double, from active: [Passage]) -> [PlacedBody] {
        active.compactMap { passage in
            guard t >= passage.enterS && t <= passage.exitS else { return nil }
            let startM = -(renderer.halfSpanM + passage.body.lengthM / 2 + 0.5)
            let travelledM = startM + passage.speedMps * (t - passage.enterS)
            let alongM = passage.towardLastRow ? travelledM : -travelledM
            return PlacedBody(body: passage.body, alongM: alongM, acrossM: passage.acrossM, towardLastRow: passage.towardLastRow)
        }
    }
}

/// Renders a lane's passages frame by frame, with sequence numbers and timestamps as a sensor
/// driver would stamp them.
public struct SyntheticFrames: Sendable {
    public let lane: SyntheticLane
    private var random: SplitMix64
    private var nextPassage = 0
    private var active: [Passage] = []
    public private(set) var frameIndex: UInt64 = 0

    public init(lane: SyntheticLane, seed: UInt64) {
        self.lane = lane
        random = SplitMix64(seed: seed ^ 0x5EED_F00D)
    }

    /// Simulated time of the next frame.
    public var timeS: Double { Double(frameIndex) / lane.frameRateHz }

    /// The next frame's header and zones.
    public mutating func next() -> (header: FrameHeader, zones: [ZoneReading]) {
        let t = timeS
        while nextPassage < lane.passages.count && lane.passages[nextPassage].enterS <= t {
            active.append(lane.passages[nextPassage])
            nextPassage += 1
        }
        active.removeAll { $0.exitS < t }
        let zones = lane.renderer.readings(lane.bodies(at: t, from: active), sensor: lane.sensor, random: &random)
        let header = FrameHeader(
            sequence: UInt32(truncatingIfNeeded: frameIndex), timestampUs: UInt64((t * 1_000_000).rounded()),
            side: UInt8(lane.renderer.side))
        frameIndex += 1
        return (header, zones)
    }
}
