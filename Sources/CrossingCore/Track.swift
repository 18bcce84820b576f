/// Life cycle of a track slot.
enum TrackState: UInt8 {
    case free
    /// Seen in fewer than `confirmHits` consecutive frames; may be noise, never counts.
    case tentative
    /// Seen long enough to count.
    case confirmed
    /// Confirmed, but unseen for a few frames; kept on its predicted path.
    case lost
}

/// One object followed across frames. It holds geometry only: no image, and no identifier
/// beyond its slot, which is reused as soon as the object leaves.
struct Track {
    var state = TrackState.free
    /// The band the object last stood in on either side of the line (-1 or +1), 0 if unknown yet.
    var originBand: Int8 = 0
    var hits: UInt16 = 0
    var misses: UInt8 = 0
    /// Consecutive frames spent coasting inside a blob shared with other tracks.
    var sharedFrames: UInt8 = 0
    /// Crossings this track has counted.
    var crossings: UInt8 = 0
    var xQ8: Int32 = 0
    var yQ8: Int32 = 0
    var vxQ8PerS: Int32 = 0
    var vyQ8PerS: Int32 = 0
    /// Where the track's leg began (and `firstUs` when), for its average speed.
    var firstYQ8: Int32 = 0
    /// Frames of the leg whose blob no other blob came near (`aloneFrames`), and the sums of
    /// their traced lengths and true widths: the averages say what one object alone looks
    /// like, where a single frame may catch it at an unlucky offset to the zones. The fields
    /// are ordered so that the slot stays 80 bytes (16 per lane).
    var tracedLengthSumMm: Int32 = 0
    var lastUs: UInt64 = 0
    var firstUs: UInt64 = 0
    /// Highest point seen over the track's life: heights are true wherever the object is.
    var peakMm: Int32 = 0
    /// Shape as seen from most nearly straight above (the frame whose centroid was closest to
    /// the middle of the view along the lane), where perspective distorts it least.
    var lengthMm: Int32 = 0
    var topWidthMm: Int32 = 0
    var topLengthMm: Int32 = 0
    var topAreaDm2: Int32 = 0
    var trueWidthMm: Int32 = 0
    var centreOffsetQ8: Int16 = Int16.max
    var aloneFrames: UInt16 = 0
    var trueWidthSumMm: Int32 = 0

    var isActive: Bool { state != .free }

    /// Starts a tentative track on an unmatched blob. Its first frame does not count toward the
    /// averages over frames alone: an object coming into view is only partly there.
    mutating func start(blob: Blob, timeUs: UInt64, geometry: LaneGeometry) {
        self = Track()
        state = .tentative
        hits = 1
        xQ8 = blob.xQ8
        yQ8 = blob.yQ8
        lastUs = timeUs
        firstYQ8 = blob.yQ8
        firstUs = timeUs
        originBand = geometry.band(ofRowQ8: blob.yQ8)
        observe(blob, alone: false, geometry: geometry)
    }

    /// Position expected at `timeUs`, from the last position and velocity. Inlined: called on
    /// a slot of the tracks' InlineArray, it would otherwise copy the whole track every frame.
    @inline(__always)
    func predicted(atUs timeUs: UInt64) -> (xQ8: Int32, yQ8: Int32) {
        precondition(timeUs >= lastUs)
        let dtUs = Int64(min(timeUs - lastUs, 10_000_000))
        let dx = Int64(vxQ8PerS) * dtUs / 1_000_000
        let dy = Int64(vyQ8PerS) * dtUs / 1_000_000
        return (xQ8 &+ Int32(dx), yQ8 &+ Int32(dy))
    }

    /// Moves the track onto its matched blob. Velocity is smoothed (weight 3/8 on the newest
    /// step) because a blob's centroid wobbles as its shape changes.
    mutating func update(blob: Blob, alone: Bool, timeUs: UInt64, config: LaneConfig, geometry: LaneGeometry) {
        precondition(isActive && timeUs > lastUs)
        let dtUs = Int64(timeUs - lastUs)
        let stepVx = Int32(clamping: Int64(blob.xQ8 - xQ8) * 1_000_000 / dtUs)
        let stepVy = Int32(clamping: Int64(blob.yQ8 - yQ8) * 1_000_000 / dtUs)
        if hits == 1 {
            vxQ8PerS = stepVx
            vyQ8PerS = stepVy
        } else {
            vxQ8PerS = Int32((Int64(vxQ8PerS) * 5 + Int64(stepVx) * 3) / 8)
            vyQ8PerS = Int32((Int64(vyQ8PerS) * 5 + Int64(stepVy) * 3) / 8)
        }
        xQ8 = blob.xQ8
        yQ8 = blob.yQ8
        lastUs = timeUs
        hits = hits == UInt16.max ? hits : hits + 1
        misses = 0
        sharedFrames = 0
        if state == .lost || (state == .tentative && hits >= UInt16(config.confirmHits)) {
            state = .confirmed
        }
        observe(blob, alone: alone, geometry: geometry)
    }

    /// Moves the track along its prediction while its object is merged with others: alive, but
    /// neither its velocity, its shape nor its confirmation learns from the merged blob.
    mutating func coast(toXQ8 x: Int32, yQ8 y: Int32, timeUs: UInt64) {
        precondition(isActive && timeUs > lastUs)
        xQ8 = x
        yQ8 = y
        lastUs = timeUs
        misses = 0
        sharedFrames &+= 1
        if state == .lost { state = .confirmed }
    }

    /// Records a frame without a match. Returns true when the track should be freed.
    mutating func miss(config: LaneConfig, timeUs: UInt64, geometry: LaneGeometry) -> Bool {
        precondition(isActive)
        if state == .tentative { return true }
        misses &+= 1
        state = .lost
        if misses > config.lostFramesMax { return true }
        let spanQ8 = Int32(geometry.side) * 256
        let (x, y) = predicted(atUs: timeUs)
        // Far outside the grid: it has left the view and cannot come back as this object.
        return x < -256 || y < -256 || x > spanQ8 + 256 || y > spanQ8 + 256
    }

    /// Ends one leg of the track at a crossing: a later crossing is classified only from what
    /// the track sees after this one. That is the same person turning back, or another object
    /// whose blob the track took at the edge of the view as its own object left.
    mutating func beginLeg(timeUs: UInt64) {
        crossings &+= 1
        firstYQ8 = yQ8
        firstUs = timeUs
        centreOffsetQ8 = Int16.max
        aloneFrames = 0
        tracedLengthSumMm = 0
        trueWidthSumMm = 0
    }

    /// Average speed along the lane since the leg began, from the motion of the object's top
    /// and the zone size at the top's height. Averaging over the whole path evens out the jumps
    /// a centroid makes as an object enters the view or shares a valley with a neighbour.
    func speedAlongMmPerS(geometry: LaneGeometry) -> Int32 {
        let elapsedUs = lastUs - firstUs
        if elapsedUs == 0 { return 0 }
        let pitchMm = Int64(geometry.pitchMm(atHeightMm: peakMm))
        let travelMm = Int64(yQ8 - firstYQ8).magnitude * UInt64(pitchMm) / 256
        return Int32(clamping: travelMm * 1_000_000 / elapsedUs)
    }

    /// Mean traced length over the leg's frames alone, 0 when there were none.
    var tracedLengthMeanMm: Int32 {
        aloneFrames == 0 ? 0 : tracedLengthSumMm / Int32(aloneFrames)
    }

    /// Mean true width over the leg's frames alone, 0 when there were none.
    var trueWidthMeanMm: Int32 {
        aloneFrames == 0 ? 0 : trueWidthSumMm / Int32(aloneFrames)
    }

    private mutating func observe(_ blob: Blob, alone: Bool, geometry: LaneGeometry) {
        peakMm = max(peakMm, blob.peakMm)
        // Four and a half minutes of frames at 15 Hz make a steady mean; more could overflow
        // the sums on the widest objects (33 m x 4,096 is well inside Int32).
        if alone && aloneFrames < 4096 {
            aloneFrames += 1
            tracedLengthSumMm &+= blob.tracedLengthMm
            trueWidthSumMm &+= blob.trueWidthMm
        }
        // Along the lane only: an object keeping to one side is off-centre across the lane on
        // every frame, and that says nothing about how much of it is in view.
        let offsetQ8 = (blob.yQ8 - Int32(geometry.side) * 128).magnitude
        if offsetQ8 <= UInt32(centreOffsetQ8) {
            centreOffsetQ8 = Int16(offsetQ8)
            lengthMm = blob.lengthMm
            topWidthMm = blob.topWidthMm
            topLengthMm = blob.topLengthMm
            topAreaDm2 = blob.topAreaDm2
            trueWidthMm = blob.trueWidthMm
        }
    }
}
