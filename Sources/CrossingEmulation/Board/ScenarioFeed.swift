import CrossingCore
import CrossingDevice
import CrossingFirmware
import CrossingSimulation

/// A scenario feeding a board: each device lane's sensor gets the frames or loop scans of the
/// scenario lane of the same name, all lanes merged in time order. The same scenario, config
/// and seed give the same deliveries in the same order.
public struct ScenarioFeed {
    /// Why a scenario cannot feed a device config.
    public struct Mismatch: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    private var sources: [LaneSource]
    /// Frames and scans delivered so far.
    public private(set) var delivered = 0

    public init(config: DeviceConfig, scenario: Scenario, seed: UInt64, durationS: Double) throws(Mismatch) {
        sources = []
        for lane in 0..<config.laneCount {
            let name = config.lane(lane).name.string
            guard let index = scenario.lanes.firstIndex(where: { $0.name == name }) else {
                throw Mismatch(description: "device lane '\(name)' is not a lane of scenario \(scenario.name)")
            }
            switch config.lane(lane).sensor {
            case .depth:
                guard scenario.lanes[index].sensor != nil else {
                    throw Mismatch(description: "device lane '\(name)' has a depth sensor; the scenario's has loops")
                }
                sources.append(LaneSource(lane: lane, depth: LaneFrames(scenario: scenario, laneIndex: index, seed: seed, durationS: durationS)))
            case .loops:
                guard scenario.lanes[index].loops != nil else {
                    throw Mismatch(description: "device lane '\(name)' has loops; the scenario's has a depth sensor")
                }
                sources.append(LaneSource(lane: lane, loops: LoopSamples(scenario: scenario, laneIndex: index, seed: seed, durationS: durationS)))
            }
        }
    }

    /// When the next frame or scan is due, in microseconds; nil when every lane has ended.
    public var nextUs: UInt64? {
        sources.compactMap(\.nextUs).min()
    }

    /// Simulated seconds the furthest lane has reached.
    public var timeS: Double { sources.map(\.timeS).max() ?? 0 }

    private var earliest: Int? {
        sources.indices.filter { sources[$0].nextUs != nil }.min { sources[$0].nextUs! < sources[$1].nextUs! }
    }

    /// Lanes whose scene has ended: their sensors have gone quiet.
    public var endedLanes: Set<Int> { Set(sources.filter { $0.nextUs == nil }.map(\.lane)) }

    /// Drops the earliest pending frame or scan, as a sensor that loses one, or a device that is
    /// down when it comes; false when every lane has ended.
    public mutating func dropNext() -> Bool {
        guard let next = earliest else { return false }
        sources[next].drop()
        return true
    }

    /// Delivers the earliest pending frame or scan; false when every lane has ended.
    public mutating func deliverNext(to board: inout EmulatedBoard) throws(FlashError) -> Bool {
        guard let next = earliest else { return false }
        try sources[next].deliver(to: &board)
        delivered += 1
        return true
    }
}

/// One lane of a scenario feeding one lane of the device, one frame or scan ahead.
private struct LaneSource {
    let lane: Int
    private var depth: LaneFrames?
    private var loops: LoopSamples?
    private var zones: [ZoneReading] = []
    private var nextFrame: FrameHeader?
    private var nextScan: LoopScan?
    private(set) var nextUs: UInt64?

    init(lane: Int, depth: LaneFrames) {
        self.lane = lane
        self.depth = depth
        zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: depth.sensor.grid * depth.sensor.grid)
        advance()
    }

    init(lane: Int, loops: LoopSamples) {
        self.lane = lane
        self.loops = loops
        advance()
    }

    var timeS: Double { depth?.timeS ?? loops?.timeS ?? 0 }

    mutating func deliver(to board: inout EmulatedBoard) throws(FlashError) {
        if let frame = nextFrame {
            try board.deliver(lane: lane, header: frame, zones: zones.span)
        } else if let scan = nextScan {
            try board.deliver(lane: lane, scan: scan)
        }
        advance()
    }

    mutating func drop() {
        advance()
    }

    private mutating func advance() {
        if depth != nil {
            nextFrame = depth!.next(into: &zones)
            nextUs = nextFrame?.timestampUs
        } else if loops != nil {
            nextScan = loops!.next()
            nextUs = nextScan?.header.timestampUs
        }
    }
}
