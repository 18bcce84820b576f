/// The counting core for one lane under an overhead multizone depth sensor.
///
/// Frames go in, crossings come out as lifetime totals and closed interval bins. All state is
/// inline and fixed in size (see `Limits`); nothing is allocated after `init`, and `reset`
/// starts a lane afresh where it lies. A frame that is malformed is refused with a `FrameError`
/// and changes nothing but `health.framesRejected`.
///
/// The pipeline per frame: background (heights above the floor) -> segmenter (objects) ->
/// tracker (crossings) -> tally (totals and bins).
public struct DepthLaneCounter {
    public private(set) var config: LaneConfig
    private(set) var geometry: LaneGeometry
    var background = Background()
    var tracker = Tracker()
    /// Totals and bins, read through `LaneCore`'s readers.
    public private(set) var tally: Tally
    /// What the lane saw and had to refuse.
    public private(set) var health = Health()
    var frameOrder = FrameOrder()
    var conditionWindow = ConditionWindow()

    /// A counter for a lane, or the first configuration field that is out of range.
    public init(config: LaneConfig) throws(ConfigError) {
        let placeholder = LaneConfig()
        self.config = placeholder
        geometry = LaneGeometry(placeholder)
        tally = Tally(intervalMs: placeholder.binIntervalMs)
        try reset(config: config)
    }

    /// Starts the lane afresh for `config`, as `init(config:)` builds it, but in place: a
    /// device with no heap keeps its lanes in static memory and boots them there, where
    /// building a new counter would need a second copy of it on the stack (docs/embedded.md,
    /// "Stack"). On a bad config, throws and leaves the counter as it was.
    public mutating func reset(config: LaneConfig) throws(ConfigError) {
        Limits.check()
        if let error = config.validate() { throw error }
        self.config = config
        geometry = LaneGeometry(config)
        background.forget()
        tracker.reset()
        tally.reset(intervalMs: config.binIntervalMs)
        health = Health()
        frameOrder = FrameOrder()
        conditionWindow = ConditionWindow()
    }

    /// Runs `body` on the tally in place (`LaneCore`).
    public mutating func updateTally<Result>(_ body: (inout Tally) -> Result) -> Result { body(&tally) }

    /// Counts one frame. Returns the number of crossing events it completed (read them with
    /// `lastCrossing(_:)`; an event may stand for several people walking abreast).
    ///
    /// `zones` holds side x side readings in row-major order. The header must match the lane's
    /// grid, and its sequence and timestamp must move forward; otherwise the frame is refused.
    /// `scratch` is working memory for the frame, which lanes may share.
    @discardableResult
    public mutating func process(
        header: FrameHeader, zones: Span<ZoneReading>, scratch: inout DepthScratch
    ) throws(FrameError) -> Int {
        let missed: UInt32
        do throws(FrameError) {
            missed = try frameOrder.check(header: header, zoneCount: zones.count, geometry: geometry)
        } catch {
            health.framesRejected &+= 1
            throw error
        }
        frameOrder.accept(sequence: header.sequence, timestampUs: header.timestampUs)
        health.sequenceGaps &+= UInt64(missed)
        health.framesProcessed &+= 1
        tally.advance(toUs: header.timestampUs)
        let unusableBefore = health.invalidZones &+ health.saturatedZones
        let occupied = background.update(
            readings: zones, timeUs: header.timestampUs, config: config, geometry: geometry,
            heights: &scratch.heights, health: &health)
        conditionWindow.add(
            timeUs: header.timestampUs, zoneCount: zones.count,
            unusableCount: UInt32(truncatingIfNeeded: health.invalidZones &+ health.saturatedZones &- unusableBefore))
        let blobCount = scratch.segmenter.segment(
            heights: scratch.heights.span, occupied: occupied, config: config, geometry: geometry, health: &health)
        tracker.step(
            blobs: scratch.segmenter.blobs.span.extracting(0..<blobCount), timeUs: header.timestampUs,
            config: config, geometry: geometry, health: &health)
        for index in 0..<tracker.crossingCount {
            tally.add(tracker.crossings[index])
        }
        return tracker.crossingCount
    }

    /// The crossings completed by the last frame processed, oldest first.
    public func lastCrossing(_ index: Int) -> CrossingEvent {
        precondition(index >= 0 && index < tracker.crossingCount)
        return tracker.crossings[index]
    }

    /// Whether the sensor sees its lane, as of the last whole minute of frames.
    public var sensorCondition: SensorCondition { conditionWindow.condition }

    /// Zones occupied past the stuck limit, bit `row * side + col`.
    public var stuckZoneMask: UInt64 { background.stuckMask }

    /// Objects being followed right now.
    public var activeTracks: Int { tracker.activeCount }

    /// Forgets the learned floor and the tracks; the next `learnFrames` frames re-learn it.
    /// For an operator who knows the lane is empty (after clearing a stuck zone, say).
    public mutating func recalibrate() {
        background.forget()
        tracker.reset()
    }

}
