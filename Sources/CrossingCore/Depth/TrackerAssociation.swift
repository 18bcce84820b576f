/// How the tracker pairs tracks with the blobs of a frame: gates, nearest-first matching, and
/// coasting through merges.
extension Tracker {
    /// How far from its prediction a track may find its object, in Q8 zones. A young track has
    /// no trustworthy velocity yet (an object's top jumps about as it comes into view), so it
    /// may reach as far as the fastest object could move. An established track allows one zone,
    /// its own step, and half a zone per missed frame; one that has crossed, only the zone once
    /// it misses: a track that lost its object must not leap onto a newcomer. `inout` only to
    /// read the track where it lies: an element of the tracks' InlineArray passed by value is
    /// copied first, every frame.
    static func gate(track: inout Track, timeUs: UInt64, config: LaneConfig, geometry: LaneGeometry) -> Int32 {
        let dtUs = Int64(min(timeUs - track.lastUs, 2_000_000))
        if track.hits < Tracker.youngHitsMax && track.misses == 0 {
            let pitchMm = Int64(geometry.pitchMm(atHeightMm: track.peakMm))
            let reachQ8 = Int64(config.objectSpeedMaxMmPerS) * dtUs * 256 / 1_000_000 / pitchMm
            return Int32(clamping: 256 + reachQ8)
        }
        // A track that has crossed and lost its object has most likely seen it leave the view:
        // searching wider, it would take the next object coming in at that edge as its own.
        if track.crossings > 0 && track.misses > 0 { return 256 }
        let speedQ8PerS = Int64(max(track.vxQ8PerS.magnitude, track.vyQ8PerS.magnitude))
        let stepQ8 = speedQ8PerS * dtUs / 1_000_000
        return Int32(clamping: 256 + stepQ8 + 128 * Int64(track.misses))
    }

    /// Greedy global nearest-first matching. A blob is reachable when it is within the gate of
    /// the prediction, or when the prediction falls on the blob's own footprint (large vehicles
    /// whose centroid jumps as they enter or leave the view). A track that has crossed has no
    /// use for the footprint's reach: lingering at the exit edge, it would take the blob of the
    /// object behind it before that object reaches the line. A track that has lost its object
    /// does not take a blob coming in at an edge of the view it is not at: its object left, and
    /// that is the next one entering (a van standing at one edge, lost as it pulls away, took
    /// the car coming in at the other and counted a crossing back).
    mutating func associate(blobs: Span<Blob>, side: Int32) {
        for blob in 0..<blobs.count { trackOfBlob[blob] = Tracker.unmatched }
        for _ in 0..<min(blobs.count, Limits.tracksMax) {
            var bestTrack = -1
            var bestBlob = -1
            var bestCost = Int64.max
            for index in SetBits(activeMask) {
                if blobOfTrack[index] != Tracker.unmatched { continue }
                let tentative = tracks[index].state == .tentative
                let footprintReach = tracks[index].crossings == 0
                let lost = tracks[index].misses > 0
                for blob in 0..<blobs.count where trackOfBlob[blob] == Tracker.unmatched {
                    if lost && Tracker.entersAwayFrom(yQ8: predictedYQ8[index], blob: blobs[blob], side: side) { continue }
                    let cost = Tracker.cost(
                        xQ8: predictedXQ8[index], yQ8: predictedYQ8[index], gateQ8: gateQ8[index],
                        tentative: tentative, footprintReach: footprintReach, peakMm: tracks[index].peakMm,
                        blob: blobs[blob])
                    if cost < bestCost {
                        bestCost = cost
                        bestTrack = index
                        bestBlob = blob
                    }
                }
            }
            if bestTrack < 0 { return }
            blobOfTrack[bestTrack] = UInt8(bestBlob)
            trackOfBlob[bestBlob] = UInt8(bestTrack)
        }
    }

    /// Lets tracks that found no blob of their own coast inside a blob another track took, when
    /// their prediction falls on it: two people walking back to back with no gap merge into one
    /// blob every other frame, and both must survive to be counted. Coasting never confirms a
    /// track; only frames where it has a blob of its own do. A blob's centroid is then the
    /// middle of several objects, so every track sharing it coasts on its own prediction rather
    /// than jumping there. Coasting is bounded by `sharedFramesMax`. A tentative track on
    /// something low (under `countHeightMinMm`: a case seen in two frames, its speed a guess)
    /// does not coast: carried on a guess inside its owner's blob it crossed the line, then took
    /// the owner's blob as they left the view.
    mutating func share(blobs: Span<Blob>, classifier: ClassifierConfig) {
        for blob in 0..<blobs.count {
            sharersOfBlob[blob] = trackOfBlob[blob] == Tracker.unmatched ? 0 : 1
        }
        for index in SetBits(activeMask) {
            sharedBlobOfTrack[index] = Tracker.unmatched
            guard blobOfTrack[index] == Tracker.unmatched && tracks[index].sharedFrames < Tracker.sharedFramesMax
                && !(tracks[index].state == .tentative && tracks[index].peakMm < Int32(classifier.countHeightMinMm))
            else { continue }
            let x = predictedXQ8[index]
            let y = predictedYQ8[index]
            for blob in 0..<blobs.count where sharersOfBlob[blob] > 0 {
                let footprint = blobs[blob]
                if x >= footprint.colMin * 256 && x < (footprint.colMax + 1) * 256
                    && y >= footprint.rowMin * 256 && y < (footprint.rowMax + 1) * 256
                {
                    sharedBlobOfTrack[index] = UInt8(blob)
                    // The owner coasts too (its blob's centroid is the middle of several
                    // objects) unless the owner is itself tentative (two bumper corners of one
                    // car entering the view), or a bus-tall object with only a tentative track
                    // inside it (a flicker of its own noisy blob), or the sharer has crossed
                    // already: coasting, it can never count again, and the owner coasting for
                    // it goes wrong, carried on its last speed over the line while it stands
                    // (a vehicle queued behind one standing at the exit edge; docs/counting.md,
                    // "Rules found on scenes").
                    let owner = Int(trackOfBlob[blob])
                    let tallOwner = tracks[owner].peakMm >= Int32(classifier.busHeightMinMm)
                    let flicker = tracks[index].state == .tentative && tallOwner
                    if tracks[owner].state != .tentative && !flicker && tracks[index].crossings == 0 {
                        sharersOfBlob[blob] &+= 1
                    }
                    break
                }
            }
        }
    }

    /// Whether a blob touches the first or last row while the prediction is more than a row
    /// from that edge.
    static func entersAwayFrom(yQ8 y: Int32, blob: Blob, side: Int32) -> Bool {
        (blob.rowMin == 0 && y > 2 * 256) || (blob.rowMax == side - 1 && y < (side - 2) * 256)
    }

    /// Squared distance from a track's prediction to a blob, or `Int64.max` when out of reach.
    /// Confirmed tracks win ties against tentative ones, so noise does not steal an object. A
    /// blob under half the track's peak costs four times its distance: a fast rider's blob
    /// leaves a fragment of wheel and frame behind, nearer the lagging prediction than the rider
    /// (docs/counting.md, "Rules found on scenes").
    static func cost(
        xQ8 x: Int32, yQ8 y: Int32, gateQ8: Int32, tentative: Bool, footprintReach: Bool, peakMm: Int32, blob: Blob
    ) -> Int64 {
        let dx = Int64(blob.xQ8 - x)
        let dy = Int64(blob.yQ8 - y)
        let distance2 = dx * dx + dy * dy
        let gate = Int64(gateQ8)
        let marginQ8: Int32 = footprintReach ? 256 : 0
        let onFootprint = x >= blob.colMin * 256 - marginQ8 && x < (blob.colMax + 1) * 256 + marginQ8
            && y >= blob.rowMin * 256 - marginQ8 && y < (blob.rowMax + 1) * 256 + marginQ8
        if distance2 > gate * gate && !onFootprint { return Int64.max }
        return distance2 * (blob.peakMm &* 2 < peakMm ? 8 : 2) + (tentative ? 1 : 0)
    }
}
