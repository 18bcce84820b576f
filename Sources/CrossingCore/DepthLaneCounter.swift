/// The counting core for one lane under an overhead multizone depth sensor.
///
/// Frames go in, crossings come out as lifetime totals and closed interval bins. All state is
/// inline and fixed in size (see `Limits`); nothing is allocated after `init`. A frame that is
/// malformed is refused with a `FrameError` and changes nothing but `health.framesRejected`.
///
/// The pipeline per frame: background (heights above the floor) -> segmenter (objects) ->
/// tracker (crossings) -> tally (totals and bins).
public struct DepthLaneCounter {
    public let config: LaneConfig
    let geometry: LaneGeometry
    var background = Background()
    var heights = InlineArray<64, Int16>(repeating: 0)
    var segmenter = Segmenter()
    var tracker = Tracker()
    var tally: Tally
    /// What the lane saw and had to refuse.
    public private(set) var health = Health()
    var lastSequence: UInt32 = 0
    var lastTimestampUs: UInt64 = 0
    var hasFrame = false

    /// A counter for a lane, or the first configuration field that is out of range.
    public init(config: LaneConfig) throws(ConfigError) {
        Limits.check()
        if let error = config.validate() { throw error }
        self.config = config
        geometry = LaneGeometry(config)
        tally = Tally(intervalMs: config.binIntervalMs)
    }

    /// Counts one frame. Returns the number of crossings it completed.
    ///
    /// `zones` holds side x side readings in row-major order. The header must match the lane's
    /// grid, and its sequence and timestamp must move forward; otherwise the frame is refused.
    @discardableResult
    public mutating func process(header: FrameHeader, zones: Span<ZoneReading>) throws(FrameError) -> Int {
        let missed: UInt32
        do throws(FrameError) {
            missed = try check(header: header, zoneCount: zones.count)
        } catch {
            health.framesRejected &+= 1
            throw error
        }
        hasFrame = true
        lastSequence = header.sequence
        lastTimestampUs = header.timestampUs
        health.sequenceGaps &+= UInt64(missed)
        health.framesProcessed &+= 1
        tally.advance(toUs: header.timestampUs, health: &health)
        background.update(
            zones: zones, timeS: UInt32(truncatingIfNeeded: header.timestampUs / 1_000_000),
            config: config, geometry: geometry, heights: &heights, health: &health)
        let blobCount = segmenter.segment(heights: heights, config: config, geometry: geometry, health: &health)
        tracker.step(
            blobs: segmenter.blobs, blobCount: blobCount, timeUs: header.timestampUs,
            config: config, geometry: geometry, health: &health)
        for index in 0..<tracker.crossingCount {
            tally.add(tracker.crossings[index])
        }
        return tracker.crossingCount
    }

    /// Lifetime count of one class in one direction.
    public func total(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        tally.totals[cellIndex(crossingClass, direction)]
    }

    /// Sum of all lifetime counts.
    public var grandTotal: UInt64 {
        var sum: UInt64 = 0
        for cell in 0..<Limits.cellsMax { sum += tally.totals[cell] }
        return sum
    }

    /// The crossings completed by the last frame processed, oldest first.
    public func lastCrossing(_ index: Int) -> CrossingEvent {
        precondition(index >= 0 && index < tracker.crossingCount)
        return tracker.crossings[index]
    }

    /// Takes the oldest closed bin, if any. The firmware drains these into its journal.
    public mutating func popClosedBin() -> IntervalBin? {
        tally.popClosed()
    }

    /// Closes the open bin early, for a clean shutdown.
    public mutating func closeOpenBin() {
        tally.close(health: &health)
    }

    /// Zones occupied past the stuck limit, bit `row * side + col`.
    public var stuckZoneMask: UInt64 { background.stuckMask }

    /// Objects being followed right now.
    public var activeTracks: Int { tracker.activeCount }

    /// Forgets the learned floor and the tracks; the next `learnFrames` frames re-learn it.
    /// For an operator who knows the lane is empty (after clearing a stuck zone, say).
    public mutating func recalibrate() {
        background.forget()
        tracker = Tracker()
    }

    /// Validates a frame against the lane and the previous frame without changing anything.
    /// Returns how many frames the sequence number says were missed.
    private func check(header: FrameHeader, zoneCount: Int) throws(FrameError) -> UInt32 {
        if header.side < Limits.sideMin || header.side > Limits.sideMax || header.side % 4 != 0 {
            throw .sideUnsupported(side: header.side)
        }
        if header.side != config.side { throw .sideMismatch(expected: config.side, got: header.side) }
        if zoneCount != geometry.zoneCount { throw .zoneCount(expected: geometry.zoneCount, got: zoneCount) }
        guard hasFrame else { return 0 }
        if header.timestampUs <= lastTimestampUs {
            throw .timestampNotIncreasing(lastUs: lastTimestampUs, gotUs: header.timestampUs)
        }
        let step = header.sequence &- lastSequence
        if step == 0 { throw .sequenceRepeated(sequence: header.sequence) }
        if step > UInt32.max / 2 { throw .sequenceBackwards(last: lastSequence, got: header.sequence) }
        return step - 1
    }
}
