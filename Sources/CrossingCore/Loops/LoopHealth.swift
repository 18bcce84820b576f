/// Counters of what a loop pair saw and had to refuse. They only ever grow.
public struct LoopHealth: Sendable, Equatable {
    /// Scans accepted and processed.
    public var samplesProcessed: UInt64 = 0
    /// Scans refused with a `FrameError`.
    public var samplesRejected: UInt64 = 0
    /// Scans missing between accepted ones, from the sequence numbers.
    public var sequenceGaps: UInt64 = 0
    /// Occupancies too short to be a vehicle, dropped.
    public var chatter: UInt64 = 0
    /// Occupancies that lasted past `LoopConfig.lockedOnLimitS` (each still counted once).
    public var lockedOn: UInt64 = 0
    /// Occupancies joined across a trailer's drawbar.
    public var trailersJoined: UInt64 = 0
    /// Times a channel failed: reported open or shorted, or flagged no-hits.
    public var channelFailures: UInt64 = 0
    /// Vehicles counted from one loop only, direction unknown.
    public var singleLoopVehicles: UInt64 = 0
    /// Occupancies that found no partner on the other loop in time and were counted alone.
    public var unpaired: UInt64 = 0
    /// Vehicles too close to their neighbour to part on one loop, told apart by the other.
    public var merged: UInt64 = 0

    public init() {}
}

/// A loop channel's faults, as flags.
public struct LoopFault: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The front end reports the oscillator does not start.
    public static let open = LoopFault(rawValue: 1)
    /// The front end reports the frequency out of range.
    public static let shorted = LoopFault(rawValue: 2)
    /// Silent while the other loop saw `LoopConfig.noHitsVehiclesMin` vehicles.
    public static let noHits = LoopFault(rawValue: 4)
    /// Occupied longer than `LoopConfig.lockedOnLimitS` right now.
    public static let lockedOn = LoopFault(rawValue: 8)

    /// Faults the front end reports.
    public static let reported = LoopFault(rawValue: 1 | 2)
    /// Faults that stop the channel from counting.
    public static let failed = LoopFault(rawValue: 1 | 2 | 4)
}
