import CrossingCore

/// Runs one synthetic lane's frames through a counting core, collecting what it counted.
public struct LaneRun {
    public private(set) var frames: SyntheticFrames
    public private(set) var counter: DepthLaneCounter
    /// Closed bins drained from the core, as the firmware would journal them.
    public private(set) var binsClosed = 0
    /// Frames the core refused; a synthetic scene should produce none.
    public private(set) var frameErrors: [FrameError] = []

    public init(lane: SyntheticLane, seed: UInt64) throws(ConfigError) {
        frames = SyntheticFrames(lane: lane, seed: seed)
        counter = try DepthLaneCounter(config: lane.config)
    }

    /// Processes frames until the simulated time reaches `untilS`.
    public mutating func advance(untilS: Double) {
        while frames.timeS < untilS {
            let (header, zones) = frames.next()
            do {
                try counter.process(header: header, zones: zones.span)
            } catch {
                frameErrors.append(error)
            }
            while counter.popClosedBin() != nil { binsClosed += 1 }
        }
    }
}
