/// A lane's counting core, whatever its sensor: started afresh in place for a config, with its
/// counts in a `Tally`. The readers of the totals and bins, and what a device does with them at
/// boot, are written once here for every core.
public protocol LaneCore {
    associatedtype Config
    /// Starts the lane afresh for `config`, in place; on a bad config, throws and changes nothing.
    mutating func reset(config: Config) throws(ConfigError)
    /// The lane's totals and bins: read and changed through the readers below, never directly.
    var tally: Tally { get set }
}

extension LaneCore {
    /// Lifetime count of one class in one direction.
    public func total(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        tally.total(crossingClass, direction)
    }

    /// Sum of all lifetime counts.
    public var grandTotal: UInt64 { tally.grandTotal }

    /// Sets a lifetime count from what the journal kept across a reboot, before any frame.
    public mutating func restore(total: UInt64, _ crossingClass: CrossingClass, _ direction: Direction) {
        tally.restore(total: total, crossingClass, direction)
    }

    /// Takes the oldest closed bin, if any. The firmware drains these into its outbox.
    public mutating func popClosedBin() -> IntervalBin? {
        tally.popClosed()
    }

    /// Closes the open bin early, for a clean shutdown.
    public mutating func closeOpenBin() {
        tally.close()
    }

    /// The counts not yet taken in a closed bin (the held bins and the open one), as one bin.
    public var unexportedBin: IntervalBin {
        mutating get { tally.unexported }
    }

    /// Holds a closed bin the journal kept across a reboot, to be taken like any other.
    public mutating func restore(pending bin: IntervalBin) {
        tally.hold(bin)
    }

    /// Closed bins merged into their neighbour because nobody took them in time: the lane lost
    /// time resolution there, never a count. Only grows.
    public var binsMerged: UInt64 { tally.binsMerged }
}

extension DepthLaneCounter: LaneCore {}
extension LoopPairDetector: LaneCore {}
