import CrossingCore

/// The frames one lane's sensor delivers over a scenario run, with the ground truth of what
/// crossed. The same scenario, lane and seed always give byte-identical frames.
public struct LaneFrames {
    public let spec: LaneSpec
    public let sensor: SensorSpec
    public let durationS: Double
    /// After `durationS` nobody new arrives, and frames go on until the road is empty or this
    /// much longer, so that everyone who entered has finished crossing.
    public static let drainMaxS = 7200.0
    private var simulation: LaneSimulation
    private var sensorFrames: SensorFrames
    private var frameIndex = 0
    /// Frames the sensor dropped so far (their sequence numbers are skipped).
    public private(set) var dropped = 0
    public private(set) var finished = false

    public init(scenario: Scenario, laneIndex: Int, seed: UInt64, durationS: Double) {
        precondition(scenario.lanes.indices.contains(laneIndex))
        let spec = scenario.lanes[laneIndex]
        guard let sensor = spec.sensor else { preconditionFailure("lane \(spec.name) has no depth sensor") }
        self.spec = spec
        self.sensor = sensor
        self.durationS = durationS
        let laneSeed = LaneSimulation.laneSeed(seed, laneIndex)
        simulation = LaneSimulation.make(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: durationS)
        self.sensorFrames = SensorFrames(sensor: sensor, random: SplitMix64(seed: laneSeed ^ 0x7365_6E73))
    }

    /// Simulated time of the next frame.
    public var timeS: Double { Double(frameIndex) / sensor.frameRateHz }

    /// Crossings so far, as a perfect counter would report them.
    public var truth: [TruthEvent] { simulation.truth }

    /// Arrivals waiting upstream for room on the modelled road.
    public var backlog: Int { simulation.backlogCount }

    /// Writes the next delivered frame into `zones` (side x side) and returns its header, or
    /// nil when the run is over. Dropped frames are skipped (and counted in `dropped`).
    public mutating func next(into zones: inout [ZoneReading]) -> FrameHeader? {
        precondition(zones.count == sensor.grid * sensor.grid)
        let dt = 1 / sensor.frameRateHz
        while !finished {
            let t = timeS
            guard simulation.stepRun(to: t, dt: dt, durationS: durationS) else {
                finished = true
                return nil
            }
            frameIndex += 1
            if let header = sensorFrames.capture(simulation.placedBodies, timeS: t, into: &zones) { return header }
            dropped += 1
        }
        return nil
    }
}
