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
    var xQ8: Int32 = 0
    var yQ8: Int32 = 0
    var vxQ8PerS: Int32 = 0
    var vyQ8PerS: Int32 = 0
    var lastUs: UInt64 = 0
    /// Where and when the track began, for its average speed.
    var firstYQ8: Int32 = 0
    var firstUs: UInt64 = 0
    /// Largest values seen over the track's life, and the latest mean height, for the classifier.
    var peakMm: Int32 = 0
    var lengthMm: Int32 = 0
    var widthMm: Int32 = 0
    var areaDm2: Int32 = 0
    var meanMm: Int32 = 0

    var isActive: Bool { state != .free }

    /// Starts a tentative track on an unmatched blob.
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
        observe(blob)
    }

    /// Position expected at `timeUs`, from the last position and velocity.
    func predicted(atUs timeUs: UInt64) -> (xQ8: Int32, yQ8: Int32) {
        precondition(timeUs >= lastUs)
        let dtUs = Int64(min(timeUs - lastUs, 10_000_000))
        let dx = Int64(vxQ8PerS) * dtUs / 1_000_000
        let dy = Int64(vyQ8PerS) * dtUs / 1_000_000
        return (xQ8 &+ Int32(dx), yQ8 &+ Int32(dy))
    }

    /// Moves the track onto its matched blob. Velocity is smoothed (weight 3/8 on the newest
    /// step) because a blob's centroid wobbles as its shape changes.
    mutating func update(blob: Blob, timeUs: UInt64, config: LaneConfig) {
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
        if state == .lost || (state == .tentative && hits >= UInt16(config.confirmHits)) {
            state = .confirmed
        }
        observe(blob)
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

    /// Average speed along the lane since the track began. A blob's centroid jumps as an object
    /// enters the view or shares a valley with a neighbour; over the whole path that averages out.
    func speedAlongMmPerS(geometry: LaneGeometry) -> Int32 {
        let elapsedUs = lastUs - firstUs
        if elapsedUs == 0 { return 0 }
        let pitchMm = Int64(geometry.pitchMm(atHeightMm: meanMm))
        let travelMm = Int64(yQ8 - firstYQ8).magnitude * UInt64(pitchMm) / 256
        return Int32(clamping: travelMm * 1_000_000 / elapsedUs)
    }

    private mutating func observe(_ blob: Blob) {
        peakMm = max(peakMm, blob.peakMm)
        lengthMm = max(lengthMm, blob.lengthMm)
        widthMm = max(widthMm, blob.widthMm)
        areaDm2 = max(areaDm2, blob.areaDm2)
        meanMm = blob.meanMm
    }
}
