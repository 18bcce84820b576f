import CrossingCore
import Foundation

/// A checkpoint to simulate: its lanes, their sensors, and the traffic on each.
/// The JSON form is documented, field by field, in docs/scenario.md.
public struct Scenario: Sendable {
    public var name: String
    public var site: String
    /// Simulated time a run covers unless `--duration` says otherwise.
    public var durationS: Double
    /// Hour of the day at simulated time 0, for the rates that vary over the day.
    public var startHour: Double
    public var lanes: [LaneSpec]
}

public enum LaneKind: String, Sendable {
    /// Pedestrians and bicycles.
    case walkway
    /// Cars, buses, trucks.
    case road
}

/// One lane: geometry, its sensor, its traffic, and an optional gate that makes vehicles queue.
public struct LaneSpec: Sendable {
    public var name: String
    public var kind: LaneKind
    public var widthM: Double
    /// Length of road modelled, centred on the sensor; arrivals that find it full wait upstream.
    public var lengthM: Double
    public var orientation: LaneOrientation
    /// The overhead depth sensor, for a depth lane.
    public var sensor: SensorSpec?
    /// The pair of inductive loops, for a loop lane. A lane has one or the other.
    public var loops: LoopSpec?
    public var traffic: [TrafficSpec]
    public var gate: GateSpec?
    /// The lane whose traffic arrives here: everything that crosses that lane's counting line
    /// arrives at this lane's upstream end at that moment, with that lane's traffic settings.
    /// A road with a counter upstream of the queue and another at the gate is two such lanes.
    public var arrivalsFrom: String?
}

/// A pair of inductive loops in the road, A then B in the outbound direction, centred on the
/// lane's middle, and what they get wrong.
public struct LoopSpec: Sendable {
    public enum FailureMode: String, Sendable {
        /// The front end reports the oscillator stopped.
        case open
        /// The front end reports the frequency out of range.
        case shorted
        /// The loop reads as if nothing were ever on it (a cut feeder that still oscillates).
        case dead
    }

    public struct Failure: Sendable {
        /// Loop A (false) or B (true).
        public var loopB: Bool
        public var atS: Double
        public var mode: FailureMode
    }

    public var lengthM: Double
    /// Leading edge to leading edge.
    public var spacingM: Double
    public var sampleRateHz: Double
    public var noisePpm: Double
    /// Amplitude of the slow baseline drift (temperature), over a 6-hour period.
    public var driftPpm: Double
    public var droppedSampleRate: Double
    public var failure: Failure?
}

/// The depth sensor over a lane (a VL53L8CX, `DepthPart`), what it sees and what it gets wrong.
public struct SensorSpec: Sendable {
    public var mountHeightM: Double
    public var grid: Int
    public var frameRateHz: Double
    /// Counting line, thousandths of the view's length from row 0's edge.
    public var linePermille: Int
    public var ambient: Ambient
    /// The share of a zone a target must cover to be reported (`DepthPart`).
    public var coverageMin: Double
    public var floorReflectance: Double
    /// Reflectance of the people's and vehicles' surfaces, drawn per body.
    public var targetReflectance: ClosedRange<Double>
    public var noiseSigmaMm: Double
    public var invalidRate: Double
    public var deadZones: [Int]
    public var droppedFrameRate: Double
    public var sequenceGapRate: Double
    public var spikeRate: Double

    /// The part's square view, along each axis.
    public var fieldOfViewDeg: Double { DepthPart.fieldOfViewDeg }

    /// Width of the view on the floor.
    public var floorSpanM: Double {
        DepthRenderer.floorSpanM(mountHeightM: mountHeightM, fieldOfViewDeg: fieldOfViewDeg)
    }
}

/// Arrivals of one class in one direction.
public struct TrafficSpec: Sendable {
    /// Rate per hour from a time of day until the next step (wrapping at midnight).
    public struct RateStep: Sendable {
        public var fromHour: Double
        public var perHour: Double
    }

    public var crossingClass: CrossingClass
    public var direction: Direction
    /// Sorted by `fromHour`; the first starts at 0.
    public var rates: [RateStep]
    /// Probabilities of groups of 1, 2, 3... arriving together; sums to 1.
    public var groupSizes: [Double]
    /// Fraction of groups that walk side by side rather than one behind another.
    public var abreastFraction: Double
    public var speedMps: ClosedRange<Double>
    /// Fraction who walk in, stop short of the line and go back the way they came.
    public var turnBackRate: Double
    /// Fraction who stop on the line for a while before going on.
    public var loiterRate: Double
    public var loiterS: ClosedRange<Double>
    /// Shortest time between two arrivals, front to front (1 s for tailgating traffic).
    public var headwayMinS: Double
    /// Share of people (or riders) who are children, 0.9-1.4 m tall.
    public var childShare: Double
    /// Shares of people carrying or pushing each thing; the rest carry nothing.
    public var carryingShares: [(Carrying, Double)]
    /// Share of bicycles pushed by someone walking beside them.
    public var pushedShare: Double

    /// What a person carries, from a uniform draw in [0, 1).
    public func carrying(_ draw: Double) -> Carrying? {
        var left = draw
        for (carrying, share) in carryingShares {
            if left < share { return carrying }
            left -= share
        }
        return nil
    }

    /// The rate in force at an hour of the day.
    public func perHour(atHour hour: Double) -> Double {
        var rate = rates.last?.perHour ?? 0
        for step in rates where step.fromHour <= hour { rate = step.perHour }
        return rate
    }

    public var peakPerHour: Double { rates.map(\.perHour).max() ?? 0 }
}

/// A gate past the sensor (border control): one vehicle at a time is served, so the queue
/// behind it stops and goes under the sensor.
public struct GateSpec: Sendable {
    public var direction: Direction
    /// Distance from the sensor's nadir to the stop line, along the direction of travel.
    public var positionM: Double
    public var serviceS: ClosedRange<Double>
    /// Bumper-to-bumper gap in the queue.
    public var gapM: Double
}
