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
    var alongFrames: UInt8 = 0
    var xQ8: Int32 = 0
    var yQ8: Int32 = 0
    var vxQ8PerS: Int32 = 0
    var vyQ8PerS: Int32 = 0
    /// Where the track's leg began (and `firstUs` when), for its average speed.
    var firstYQ8: Int32 = 0
    /// Sums over the leg: reaches ahead (`Blob.reachAheadMm`) over the frames whose blob had no
    /// neighbour (`alongFrames`), true and top widths over the frames with none beside it
    /// (`acrossFrames`). The averages say what one object looks like where a single frame may
    /// catch it at an unlucky offset to the zones. The fields are ordered so that the slot
    /// stays 80 bytes (16 per lane): `reachAheadMaxMm` fills the last two.
    var reachAheadSumMm: Int32 = 0
    var lastUs: UInt64 = 0
    var firstUs: UInt64 = 0
    /// Highest point seen over the track's life: heights are true wherever the object is.
    var peakMm: Int32 = 0
    /// Shape as seen from most nearly straight above (the frame whose centroid was closest to
    /// the middle of the view along the lane), where perspective distorts it least. Lengths
    /// and widths fit 16 bits: none exceeds the floor span, at most 30 m.
    var topAreaDm2: Int32 = 0
    var trueWidthSumMm: Int32 = 0
    var topWidthSumMm: Int32 = 0
    var reachAheadMm: Int16 = 0
    var topLengthMm: Int16 = 0
    var topWidthMm: Int16 = 0
    var trueWidthMm: Int16 = 0
    var centreOffsetQ8: Int16 = Int16.max
    var acrossFrames: UInt8 = 0
    /// Frames of the leg in which the track had a blob to itself, and how many of them looked
    /// like a rider's (long with a short top): one frame may catch a walker stretched by a
    /// neighbour.
    var legFrames: UInt8 = 0
    var riderFrames: UInt8 = 0
    /// How far from the line this leg has gone since its crossing, in quarter zones.
    var farthestQuarterZones: UInt8 = 0
    /// The longest reach ahead over the leg's frames with no neighbour. In the middle of a
    /// 2.5 m view the front of a pram pushed ahead is out of sight; as its pusher comes in, all
    /// of it is in view.
    var reachAheadMaxMm: Int16 = 0

    var isActive: Bool { state != .free }

    /// Frames a tentative track may go unseen and still be confirmed by its next hits. A walker
    /// in dark clothes and dark hair returns no signal from head or shoulders at 3 m; what is
    /// seen of them (a hand, a light bag) comes and goes from frame to frame, and a track that
    /// died at its first miss would never see three frames in a row.
    static let tentativeMissesMax: UInt8 = 2

    /// Starts a tentative track on an unmatched blob. Its first frame does not count toward the
    /// traced-length and width means (an object coming into view is only partly there), only
    /// toward the leg's frames for the rider share.
    mutating func start(blob: Blob, timeUs: UInt64, config: ClassifierConfig, geometry: LaneGeometry) {
        self = Track()
        state = .tentative
        hits = 1
        xQ8 = blob.xQ8
        yQ8 = blob.yQ8
        lastUs = timeUs
        firstYQ8 = blob.yQ8
        firstUs = timeUs
        originBand = geometry.band(ofRowQ8: blob.yQ8)
        observe(blob, solitude: Solitude(), config: config, geometry: geometry)
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
    mutating func update(blob: Blob, solitude: Solitude, timeUs: UInt64, config: LaneConfig, geometry: LaneGeometry) {
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
        // A blob just parted from a merge may still hold part of the other object.
        let emerging = sharedFrames > 0
        sharedFrames = 0
        if state == .lost || (state == .tentative && hits >= UInt16(config.confirmHits)) {
            state = .confirmed
        }
        if crossings > 0 { noteReturn(timeUs: timeUs, geometry: geometry) }
        if emerging {
            peakMm = max(peakMm, blob.peakMm)
        } else {
            observe(blob, solitude: solitude, config: config.classifier, geometry: geometry)
        }
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
        misses &+= 1
        if state == .tentative {
            // Only for what could count: a case adrift from its owner, kept through its gaps, was
            // confirmed and took its owner's blob as they left, counted as a bicycle.
            return misses > Track.tentativeMissesMax || peakMm < Int32(config.classifier.countHeightMinMm)
        }
        state = .lost
        if misses > config.lostFramesMax { return true }
        let spanQ8 = Int32(geometry.side) * 256
        // One that has crossed and is lost in the first or last row, or predicted past the edge,
        // has left by it: kept, it would take the next object coming in there as its own.
        if crossings > 0 && (yQ8 < 256 || yQ8 >= spanQ8 - 256) { return true }
        let (x, y) = predicted(atUs: timeUs)
        let marginQ8: Int32 = crossings == 0 ? 256 : 0
        // Far outside the grid: it has left the view and cannot come back as this object.
        return x < -marginQ8 || y < -marginQ8 || x > spanQ8 + marginQ8 || y > spanQ8 + marginQ8
    }

    /// Ends one leg of the track at a crossing: a later crossing is classified only from what
    /// the track sees after this one. That is the same person turning back, or another object
    /// whose blob the track took at the edge of the view as its own object left.
    mutating func beginLeg(timeUs: UInt64) {
        crossings &+= 1
        farthestQuarterZones = 0
        restartLeg(timeUs: timeUs)
    }

    /// Restarts the leg when a track that has crossed comes back toward the line by a zone:
    /// what it saw on its way out was the object it counted (or another beside it), and the
    /// crossing back, if any, is to be classified from what comes back.
    private mutating func noteReturn(timeUs: UInt64, geometry: LaneGeometry) {
        let distanceQuarterZones = UInt8(clamping: (yQ8 - geometry.lineQ8).magnitude / 64)
        if distanceQuarterZones > farthestQuarterZones {
            farthestQuarterZones = distanceQuarterZones
        } else if farthestQuarterZones - distanceQuarterZones >= 4 {
            farthestQuarterZones = distanceQuarterZones
            restartLeg(timeUs: timeUs)
        }
    }

    private mutating func restartLeg(timeUs: UInt64) {
        firstYQ8 = yQ8
        firstUs = timeUs
        centreOffsetQ8 = Int16.max
        alongFrames = 0
        acrossFrames = 0
        legFrames = 0
        riderFrames = 0
        reachAheadSumMm = 0
        reachAheadMaxMm = 0
        trueWidthSumMm = 0
        topWidthSumMm = 0
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

    /// Mean reach ahead over the leg's frames with no neighbour, 0 when there were none.
    var reachAheadMeanMm: Int32 {
        alongFrames == 0 ? 0 : reachAheadSumMm / Int32(alongFrames)
    }

    /// Mean true width over the leg's frames with no neighbour beside, 0 when there were none.
    var trueWidthMeanMm: Int32 {
        acrossFrames == 0 ? 0 : trueWidthSumMm / Int32(acrossFrames)
    }

    /// Mean top width over the leg's frames with no neighbour beside, 0 when there were none.
    var topWidthMeanMm: Int32 {
        acrossFrames == 0 ? 0 : topWidthSumMm / Int32(acrossFrames)
    }

    private mutating func observe(_ blob: Blob, solitude: Solitude, config: ClassifierConfig, geometry: LaneGeometry) {
        peakMm = max(peakMm, blob.peakMm)
        let reachAheadMm = blob.reachAheadMm(vyQ8PerS: vyQ8PerS)
        if legFrames < UInt8.max {
            legFrames += 1
            if isRiderLike(reachAheadMm: reachAheadMm, topLengthMm: blob.topLengthMm, config: config) { riderFrames += 1 }
        }
        // Seventeen seconds of frames at 15 Hz make a steady mean, and the counts fit a byte.
        if solitude.along && alongFrames < UInt8.max {
            alongFrames += 1
            reachAheadSumMm &+= reachAheadMm
            reachAheadMaxMm = max(reachAheadMaxMm, Int16(clamping: reachAheadMm))
        }
        if solitude.across && acrossFrames < UInt8.max {
            acrossFrames += 1
            trueWidthSumMm &+= blob.trueWidthMm
            topWidthSumMm &+= blob.topWidthMm
        }
        // Along the lane only: an object keeping to one side is off-centre across the lane on
        // every frame, and that says nothing about how much of it is in view.
        let offsetQ8 = (blob.yQ8 - Int32(geometry.side) * 128).magnitude
        if offsetQ8 <= UInt32(centreOffsetQ8) {
            centreOffsetQ8 = Int16(offsetQ8)
            self.reachAheadMm = Int16(clamping: reachAheadMm)
            topWidthMm = Int16(clamping: blob.topWidthMm)
            topLengthMm = Int16(clamping: blob.topLengthMm)
            topAreaDm2 = blob.topAreaDm2
            trueWidthMm = Int16(clamping: blob.trueWidthMm)
        }
    }
}
