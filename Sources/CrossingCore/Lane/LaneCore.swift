/// A lane's counting core, whatever its sensor: started afresh in place for a config, with its
/// counts in a `Tally`. The readers of the totals and bins, and what a device does with them at
/// boot, are written once here for every core.
public protocol LaneCore {
    associatedtype Config
    /// Starts the lane afresh for `config`, in place; on a bad config, throws and changes nothing.
    mutating func reset(config: Config) throws(ConfigError)
    /// The lane's totals and bins, for the readers below.
    var tally: Tally { get }
    /// Runs `body` on the lane's tally in place. The readers below change the tally through
    /// this rather than a settable property: a property's `modify` accessor, called through
    /// the protocol unspecialized (a debug build, or from another module), allocates its frame.
    mutating func updateTally<Result>(_ body: (inout Tally) -> Result) -> Result
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
        updateTally { $0.restore(total: total, crossingClass, direction) }
    }

    /// Takes the oldest closed bin, if any. The firmware drains these into its outbox.
    public mutating func popClosedBin() -> IntervalBin? {
        updateTally { $0.popClosed() }
    }

    /// Closes the open bin early, for a clean shutdown.
    public mutating func closeOpenBin() {
        updateTally { $0.close() }
    }

    /// The counts not yet taken in a closed bin (the held bins and the open one), as one bin.
    public var unexportedBin: IntervalBin {
        mutating get { updateTally { $0.unexported } }
    }

    /// Holds a closed bin the journal kept across a reboot, to be taken like any other.
    public mutating func restore(pending bin: IntervalBin) {
        updateTally { $0.hold(bin) }
    }

    /// Closed bins merged into their neighbour because nobody took them in time: the lane lost
    /// time resolution there, never a count. Only grows.
    public var binsMerged: UInt64 { tally.binsMerged }
}

extension DepthLaneCounter: LaneCore {}
extension LoopPairDetector: LaneCore {}
