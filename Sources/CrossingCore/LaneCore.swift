/// What a device does with any lane's counting core at boot, whatever its sensor: start it
/// afresh in place for a config, put back what the journal kept, and read what it must keep.
public protocol LaneCore {
    associatedtype Config
    /// Starts the lane afresh for `config`, in place; on a bad config, throws and changes nothing.
    mutating func reset(config: Config) throws(ConfigError)
    /// Sets a lifetime count from what the journal kept across a reboot, before any frame.
    mutating func restore(total: UInt64, _ crossingClass: CrossingClass, _ direction: Direction)
    /// Holds a closed bin the journal kept across a reboot, before any frame.
    mutating func restore(pending bin: IntervalBin)
    /// The counts in the totals not yet taken in a closed bin, as one bin (`frames` 0: none).
    var unexportedBin: IntervalBin { mutating get }
    /// Takes the oldest closed bin, if any.
    mutating func popClosedBin() -> IntervalBin?
    /// Closes the open bin early, for a clean shutdown.
    mutating func closeOpenBin()
}

extension DepthLaneCounter: LaneCore {}
extension LoopPairDetector: LaneCore {}
