/// Follows objects across frames in a fixed set of track slots and reports line crossings.
///
/// Association is greedy nearest-first against each track's predicted position, gated by the
/// plausible motion. A crossing is counted once, when a confirmed track reaches the band on the
/// far side of the neutral band from where it was last seen on a side, so turning back,
/// lingering, or standing on the line for an hour never counts by itself.
struct Tracker {
    var tracks = InlineArray<16, Track>(repeating: Track())
    /// Slots in use, bit per slot: loops visit only these.
    var activeMask: UInt16 = 0
    /// Per frame scratch: predictions and gates per track, and which blob each track took.
    var predictedXQ8 = InlineArray<16, Int32>(repeating: 0)
    var predictedYQ8 = InlineArray<16, Int32>(repeating: 0)
    var gateQ8 = InlineArray<16, Int32>(repeating: 0)
    var blobOfTrack = InlineArray<16, UInt8>(repeating: Tracker.unmatched)
    var trackOfBlob = InlineArray<16, UInt8>(repeating: Tracker.unmatched)
    /// Tracks with no blob of their own whose prediction lies inside a blob another track took,
    /// and how many tracks each blob is shared by.
    var sharedBlobOfTrack = InlineArray<16, UInt8>(repeating: Tracker.unmatched)
    var sharersOfBlob = InlineArray<16, UInt8>(repeating: 0)
    /// Crossings found in the last step: at most one per track.
    var crossings = InlineArray<16, CrossingEvent>(
        repeating: CrossingEvent(crossingClass: .pedestrian, direction: .outbound, timestampUs: 0))
    var crossingCount = 0

    static let unmatched: UInt8 = 255
    /// Matched frames before a track's velocity is trusted for gating.
    static let youngHitsMax: UInt16 = 5
    /// Frames a track may coast inside a shared blob before it counts as unseen: three seconds
    /// at 15 Hz, longer than two walkers stay merged while crossing the view.
    static let sharedFramesMax: UInt8 = 45

    /// Advances every track to the frame at `timeUs` with its `blobs`; crossings land in
    /// `crossings[0..<crossingCount]`.
    mutating func step(
        blobs: Span<Blob>,
        timeUs: UInt64,
        config: LaneConfig,
        geometry: LaneGeometry,
        health: inout Health
    ) {
        precondition(blobs.count <= Limits.blobsMax)
        crossingCount = 0
        if activeMask == 0 && blobs.count == 0 { return }
        predict(timeUs: timeUs, config: config, geometry: geometry)
        associate(blobs: blobs, side: Int32(geometry.side))
        share(blobs: blobs, classifier: config.classifier)
        for index in SetBits(activeMask) {
            let blob = blobOfTrack[index]
            if blob != Tracker.unmatched && sharersOfBlob[Int(blob)] == 1 {
                tracks[index].update(
                    blob: blobs[Int(blob)], solitude: Solitude(blob: Int(blob), blobs: blobs), timeUs: timeUs,
                    config: config, geometry: geometry)
            } else if blob != Tracker.unmatched || sharedBlobOfTrack[index] != Tracker.unmatched {
                tracks[index].coast(toXQ8: predictedXQ8[index], yQ8: predictedYQ8[index], timeUs: timeUs)
                // A coasting position is a guess. It may complete a first crossing (walkers or
                // cars that stay merged with the one ahead until they leave the view), never a
                // second one.
                if tracks[index].crossings > 0 { continue }
            } else {
                if tracks[index].miss(config: config, timeUs: timeUs, geometry: geometry) {
                    tracks[index] = Track()
                    activeMask &= ~(UInt16(1) &<< UInt16(index))
                }
                continue
            }
            checkLine(track: index, timeUs: timeUs, config: config, geometry: geometry)
        }
        for blob in 0..<blobs.count where trackOfBlob[blob] == Tracker.unmatched {
            start(blob: blob, blobs: blobs, timeUs: timeUs, config: config.classifier, geometry: geometry, health: &health)
        }
    }

    /// Drops every track, in place (see `Background.forget`).
    mutating func reset() {
        for slot in 0..<Limits.tracksMax {
            tracks[slot] = Track()
            predictedXQ8[slot] = 0
            predictedYQ8[slot] = 0
            gateQ8[slot] = 0
            blobOfTrack[slot] = Tracker.unmatched
            sharedBlobOfTrack[slot] = Tracker.unmatched
        }
        for blob in 0..<Limits.blobsMax {
            trackOfBlob[blob] = Tracker.unmatched
            sharersOfBlob[blob] = 0
        }
        activeMask = 0
        crossingCount = 0
    }

    /// Number of tracks in use.
    var activeCount: Int { activeMask.nonzeroBitCount }

    private mutating func predict(timeUs: UInt64, config: LaneConfig, geometry: LaneGeometry) {
        for index in SetBits(activeMask) {
            blobOfTrack[index] = Tracker.unmatched
            let (x, y) = tracks[index].predicted(atUs: timeUs)
            predictedXQ8[index] = x
            predictedYQ8[index] = y
            gateQ8[index] = Tracker.gate(track: &tracks[index], timeUs: timeUs, config: config, geometry: geometry)
        }
    }

    private mutating func start(
        blob index: Int, blobs: Span<Blob>, timeUs: UInt64, config: ClassifierConfig, geometry: LaneGeometry, health: inout Health
    ) {
        let free = ~activeMask
        if free == 0 {
            health.tracksFull &+= 1
            return
        }
        let slot = free.trailingZeroBitCount
        let blob = blobs[index]
        let side = Int32(geometry.side)
        let interior = blob.rowMin > 0 && blob.rowMax < side - 1
        let origin = interior ? inheritedOrigin(near: index, blobs: blobs) : 0
        tracks[slot].start(blob: blob, timeUs: timeUs, config: config, geometry: geometry)
        if origin != 0 { tracks[slot].originBand = origin }
        activeMask |= UInt16(1) &<< UInt16(slot)
    }

    /// The side an object that appears in the middle of the view came from. Nobody walks into
    /// the middle of the view without crossing its edge: an object first seen there has split
    /// off one that was tracked (two people walking abreast, merged until their heads showed a
    /// valley; a cyclist overtaking the walker it rode behind), so it came from the side that
    /// one came from. That is the established track whose blob this frame touches the new one
    /// (within a zone), or failing that the one whose position is nearest, within 2.5 zones: a
    /// fast object splits off ahead of the position of the track it shared a blob with.
    /// Returns 0 when there is none.
    private mutating func inheritedOrigin(near index: Int, blobs: Span<Blob>) -> Int8 {
        let blob = blobs[index]
        var best: Int8 = 0
        var bestTouching = false
        var bestDistance2 = Int64(640 * 640)
        for slot in SetBits(activeMask) {
            let track = tracks[slot]
            guard track.hits >= 2 && track.originBand != 0 else { continue }
            let held = blobOfTrack[slot]
            let touching = held != Tracker.unmatched && Tracker.near(blobs[Int(held)], blob)
            if bestTouching && !touching { continue }
            let dx = Int64(track.xQ8 - blob.xQ8)
            let dy = Int64(track.yQ8 - blob.yQ8)
            let distance2 = dx * dx + dy * dy
            if (touching && !bestTouching) || distance2 < bestDistance2 {
                bestTouching = touching
                bestDistance2 = distance2
                best = track.originBand
            }
        }
        return best
    }

    /// Whether two blobs come within a zone of each other.
    static func near(_ a: Blob, _ b: Blob) -> Bool {
        a.rowMin <= b.rowMax + 1 && a.rowMax >= b.rowMin - 1 && a.colMin <= b.colMax + 1 && a.colMax >= b.colMin - 1
    }

    private mutating func checkLine(track index: Int, timeUs: UInt64, config: LaneConfig, geometry: LaneGeometry) {
        let band = geometry.band(ofRowQ8: tracks[index].yQ8)
        if band == 0 { return }
        let origin = tracks[index].originBand
        if origin == 0 {
            tracks[index].originBand = band
            return
        }
        if band == origin || tracks[index].state != .confirmed { return }
        if tracks[index].crossings > 0 && geometry.returnBand(ofRowQ8: tracks[index].yQ8) != band { return }
        tracks[index].originBand = band
        // Something low (a case adrift from its owner) crosses without counting, and with its
        // side updated, so that it cannot count later by taking over the blob of someone
        // leaving the view beside it.
        if tracks[index].peakMm < Int32(config.classifier.countHeightMinMm) { return }
        let towardLastRow = band > origin
        let outbound = towardLastRow == (config.orientation == .outboundTowardLastRow)
        let crossingClass = classify(track: tracks[index], geometry: geometry, config: config.classifier)
        let people = crossingClass == .pedestrian ? abreastCount(track: tracks[index], config: config.classifier) : 1
        precondition(crossingCount < Limits.tracksMax, "a track counts at most once per frame")
        crossings[crossingCount] = CrossingEvent(
            crossingClass: crossingClass, direction: outbound ? .outbound : .inbound, people: UInt8(people),
            timestampUs: timeUs)
        crossingCount += 1
        tracks[index].beginLeg(timeUs: timeUs)
    }
}
