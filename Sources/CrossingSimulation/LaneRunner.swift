import CrossingCore
import Foundation

/// A crossing the counting core reported, with the simulated time of the frame that made it.
public struct CountedEvent: Sendable, Equatable {
    public var crossingClass: CrossingClass
    public var direction: Direction
    public var timeS: Double
    /// The length a loop pair measured, when it measured one.
    public var lengthM: Double?
}

/// What one lane of a scenario run produced: truth, what the core counted, and the baseline.
public struct LaneResult: Sendable {
    public let spec: LaneSpec
    public var truth: [TruthEvent] = []
    public var counted: [CountedEvent] = []
    /// The two-zone baseline's counts per direction, when it ran.
    public var baseline: (outbound: UInt64, inbound: UInt64)?
    /// The depth core's health, for a depth lane.
    public var health = Health()
    /// Whether the depth sensor saw its lane in the last whole minute, for a depth lane.
    public var sensorCondition = SensorCondition.ok
    /// The loop detector's health and faults at the end, for a loop lane.
    public var loopHealth: LoopHealth?
    public var loopFaults: (a: LoopFault, b: LoopFault)?
    public var framesDelivered = 0
    public var framesDropped = 0
    /// Frames the core refused. A simulated sensor should produce none; each one is a bug.
    public var frameErrors: [String] = []
    /// Arrivals still waiting upstream at the end (they never reached the sensor).
    public var backlog = 0
    public var simulatedS = 0.0
}

/// Runs one lane of a scenario: a depth lane's frames through the counting core and optionally
/// the two-zone baseline, or a loop lane's scans through the loop-pair detector.
public struct LaneRunner {
    public let spec: LaneSpec
    private var source: Source
    private var scratch = DepthScratch()
    public private(set) var result: LaneResult

    private enum Source {
        case depth(frames: LaneFrames, counter: DepthLaneCounter, baseline: TwoZoneCounter?, zones: [ZoneReading])
        case loops(samples: LoopSamples, detector: LoopPairDetector)
    }

    /// The same scenario, lane and seed always give the same result. The baseline runs on
    /// depth lanes only.
    public init(scenario: Scenario, laneIndex: Int, seed: UInt64, durationS: Double, baseline: Bool) throws(ConfigError) {
        spec = scenario.lanes[laneIndex]
        if let sensor = spec.sensor {
            source = .depth(
                frames: LaneFrames(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: durationS),
                counter: try DepthLaneCounter(config: spec.laneConfig),
                baseline: baseline ? TwoZoneCounter() : nil,
                zones: [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: sensor.grid * sensor.grid))
        } else {
            source = .loops(
                samples: LoopSamples(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: durationS),
                detector: try LoopPairDetector(config: spec.loopConfig))
        }
        result = LaneResult(spec: spec)
    }

    public var finished: Bool {
        switch source {
        case .depth(let frames, _, _, _): frames.finished
        case .loops(let samples, _): samples.finished
        }
    }

    /// Simulated time of the next frame or scan.
    public var timeS: Double {
        switch source {
        case .depth(let frames, _, _, _): frames.timeS
        case .loops(let samples, _): samples.timeS
        }
    }

    /// Runs until simulated time `untilS` or the end of the run, whichever is first.
    public mutating func advance(untilS: Double) {
        switch source {
        case .depth(var frames, var counter, var baseline, var zones):
            while !frames.finished && frames.timeS < untilS {
                guard let header = frames.next(into: &zones) else { break }
                result.framesDelivered += 1
                count(header: header, zones: zones, counter: &counter, baseline: &baseline)
            }
            source = .depth(frames: frames, counter: counter, baseline: baseline, zones: zones)
        case .loops(var samples, var detector):
            while !samples.finished && samples.timeS < untilS {
                guard let scan = samples.next() else { break }
                result.framesDelivered += 1
                count(scan: scan, detector: &detector)
            }
            source = .loops(samples: samples, detector: detector)
        }
        if finished { collect() }
    }

    /// The result so far, for a run stopped early.
    public var partialResult: LaneResult {
        var copy = self
        copy.collect()
        return copy.result
    }

    private mutating func count(header: FrameHeader, zones: [ZoneReading], counter: inout DepthLaneCounter, baseline: inout TwoZoneCounter?) {
        let timeS = Double(header.timestampUs) / 1_000_000
        do {
            let crossings = try counter.process(header: header, zones: zones.span, scratch: &scratch)
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
        baseline?.process(zones: zones.span, side: Int(counter.config.side))
    }

    private mutating func count(scan: LoopScan, detector: inout LoopPairDetector) {
        do {
            let vehicles = try detector.process(header: scan.header, a: scan.a, b: scan.b)
            for index in 0..<vehicles {
                let vehicle = detector.lastVehicle(index)
                result.counted.append(CountedEvent(
                    crossingClass: vehicle.crossing.crossingClass, direction: vehicle.crossing.direction,
                    timeS: Double(vehicle.crossing.timestampUs) / 1_000_000,
                    lengthM: vehicle.lengthMm > 0 ? Double(vehicle.lengthMm) / 1000 : nil))
            }
        } catch {
            if result.frameErrors.count < 10 { result.frameErrors.append("scan \(scan.header.sequence): \(error)") }
        }
        while detector.popClosedBin() != nil {}
    }

    private mutating func collect() {
        switch source {
        case .depth(let frames, let counter, let baseline, _):
            result.truth = frames.truth
            result.health = counter.health
            result.sensorCondition = counter.sensorCondition
            result.backlog = frames.backlog
            result.framesDropped = frames.dropped
            result.simulatedS = frames.timeS
            if let baseline {
                let outboundTowardLast = spec.orientation == .outboundTowardLastRow
                result.baseline = outboundTowardLast
                    ? (baseline.towardLastRow, baseline.towardFirstRow)
                    : (baseline.towardFirstRow, baseline.towardLastRow)
            }
        case .loops(let samples, let detector):
            result.truth = samples.truth
            result.loopHealth = detector.health
            result.loopFaults = detector.faults
            result.backlog = samples.backlog
            result.framesDropped = samples.dropped
            result.simulatedS = samples.timeS
        }
    }
}
