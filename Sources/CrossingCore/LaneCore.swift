/// What a device does with any lane's counting core at boot, whatever its sensor: start it
/// afresh in place for a config, and put back the totals and the pending bin the journal kept.
public protocol LaneCore {
    associatedtype Config
    /// Starts the lane afresh for `config`, in place; on a bad config, throws and changes nothing.
    mutating func reset(config: Config) throws(ConfigError)
    /// Sets a lifetime count from what the journal kept across a reboot, before any frame.
    mutating func restore(total: UInt64, _ crossingClass: CrossingClass, _ direction: Direction)
    /// Holds a closed bin the journal kept across a reboot, before any frame.
    mutating func restore(pending bin: IntervalBin)
}

extension DepthLaneCounter: LaneCore {}
extension LoopPairDetector: LaneCore {}
