/// Counters of what a lane's core saw and had to refuse. They only ever grow, so that a
/// collector can difference them; nothing here identifies a person.
public struct Health: Sendable, Equatable {
    /// Frames accepted and processed.
    public var framesProcessed: UInt64 = 0
    /// Frames refused with a `FrameError`.
    public var framesRejected: UInt64 = 0
    /// Frames missing between accepted ones, from the sequence numbers.
    public var sequenceGaps: UInt64 = 0
    /// Zone readings with status invalid.
    public var invalidZones: UInt64 = 0
    /// Zone readings with status saturated.
    public var saturatedZones: UInt64 = 0
    /// Objects seen in a frame but not segmented, because `Limits.blobsMax` was reached.
    public var objectsDropped: UInt64 = 0
    /// Objects segmented but not tracked, because all `Limits.tracksMax` tracks were busy.
    public var tracksFull: UInt64 = 0
    /// Times a zone stayed occupied past `LaneConfig.stuckLimitS` and was flagged.
    public var zonesStuck: UInt64 = 0
    /// Times a zone's floor was re-learned because it read deeper than the learned floor.
    public var floorRelearned: UInt64 = 0

    public init() {}
}
