import CrossingCore
import Foundation

/// A crossing the counting core reported, with the simulated time of the frame that made it.
public struct CountedEvent: Sendable, Equatable {
    public var crossingClass: CrossingClass
    public var direction: Direction
    public var timeS: Double
}

/// What one lane of a scenario run produced: truth, what the core counted, and the baseline.
public struct LaneResult: Sendable {
    public let spec: LaneSpec
    public var truth: [TruthEvent] = []
    public var counted: [CountedEvent] = []
    /// The two-zone baseline's counts per direction, when it ran.
    public var baseline: (outbound: UInt64, inbound: UInt64)?
    public var health = Health()
    public var framesDelivered = 0
    public var framesDropped = 0
    /// Frames the core refused. A simulated sensor should produce none; each one is a bug.
    public var frameErrors: [String] = []
    /// Arrivals still waiting upstream at the end (they never reached the sensor).
    public var backlog = 0
    public var simulatedS = 0.0
}

/// Runs one lane of a scenario: its frames through the counting core and optionally the
/// two-zone baseline.
public struct LaneRunner {
    public let spec: LaneSpec
    private var frames: LaneFrames
    private var counter: DepthLaneCounter
    private var baseline: TwoZoneCounter?
    private var zones: [ZoneReading]
    public private(set) var result: LaneResult

    /// The same scenario, lane and seed always give the same result.
    public init(scenario: Scenario, laneIndex: Int, seed: UInt64, durationS: Double, baseline: Bool) throws(ConfigError) {
        spec = scenario.lanes[laneIndex]
        frames = LaneFrames(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: durationS)
        counter = try DepthLaneCounter(config: spec.laneConfig)
        self.baseline = baseline ? TwoZoneCounter() : nil
        zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: spec.sensor.grid * spec.sensor.grid)
        result = LaneResult(spec: spec)
    }

    public var finished: Bool { frames.finished }

    /// Simulated time of the next frame.
    public var timeS: Double { frames.timeS }

    /// Runs until simulated time `untilS` or the end of the run, whichever is first.
    public mutating func advance(untilS: Double) {
        while !frames.finished && frames.timeS < untilS {
            guard let header = frames.next(into: &zones) else { break }
            result.framesDelivered += 1
            count(header: header)
        }
        if frames.finished { collect() }
    }

    /// The result so far, for a run stopped early.
    public var partialResult: LaneResult {
        var copy = self
        copy.collect()
        return copy.result
    }

    private mutating func count(header: FrameHeader) {
        let frame = zones
        let timeS = Double(header.timestampUs) / 1_000_000
        do {
            let crossings = try counter.process(header: header, zones: frame.span)
            for index in 0..<crossings {
                let event = counter.lastCrossing(index)
                for _ in 0..<event.people {
                    result.counted.append(CountedEvent(crossingClass: event.crossingClass, direction: event.direction, timeS: timeS))
                }
            }
        } catch {
            if result.frameErrors.count < 10 { result.frameErrors.append("frame \(header.sequence): \(error)") }
        }
        while counter.popClosedBin() != nil {}
        baseline?.process(zones: frame.span, side: spec.sensor.grid)
    }

    private mutating func collect() {
        result.truth = frames.truth
        result.health = counter.health
        result.backlog = frames.backlog
        result.framesDropped = frames.dropped
        result.simulatedS = frames.timeS
        if let baseline {
            let outboundTowardLast = spec.orientation == .outboundTowardLastRow
            result.baseline = outboundTowardLast
                ? (baseline.towardLastRow, baseline.towardFirstRow)
                : (baseline.towardFirstRow, baseline.towardLastRow)
        }
    }
}
