/// Decides the class of a counted object from what its track saw: peak height, footprint,
/// speed, and reach ahead of the head. Height is the strongest cue and is checked first; speed
/// next, as nothing on foot moves as fast as a rider.
func classify(track: Track, geometry: LaneGeometry, config: ClassifierConfig) -> CrossingClass {
    if track.peakMm >= Int32(config.busHeightMinMm) { return .bus }
    let roofLike = Int32(track.topWidthMm) >= Int32(config.carWidthMinMm) || Int32(track.topLengthMm) >= Int32(config.carTopLengthMinMm)
    if roofLike && track.topAreaDm2 >= Int32(config.carTopAreaMinDm2) { return .car }
    if track.speedAlongMmPerS(geometry: geometry) >= Int32(config.bicycleSpeedMinMmPerS) { return .bicycle }
    // At walking pace, what reaches ahead of a head as a rider's arms and handlebar do may be
    // a pram pushed ahead, which reaches further.
    if track.reachAheadMaxMm >= Int16(clamping: config.pushedReachMinMm) { return .pedestrian }
    // One rider is narrow; walkers abreast are not, and may walk a little staggered. A width
    // threshold of 0 turns abreast counting off, and this test with it.
    let narrow = (config.abreastTopWidthMinMm == 0 || Int32(track.topWidthMm) < Int32(config.abreastTopWidthMinMm))
        && (config.abreastWidthMinMm == 0 || Int32(track.trueWidthMm) < Int32(config.abreastWidthMinMm))
    // Reaching ahead under a short top: one rider. Two people walking one behind the other
    // reach as far, but their top (two heads and shoulders) is long too; walkers abreast are
    // wide. A walker stretched in one frame by a neighbour's edge looks so in few of its frames.
    if isRiderLike(reachAheadMm: Int32(track.reachAheadMm), topLengthMm: Int32(track.topLengthMm), config: config) && narrow
        && Int(track.riderFrames) * ClassifierConfig.riderFramesShareDivisor >= Int(track.legFrames)
    {
        return .bicycle
    }
    // A rider held to walking pace behind a walker: over the frames with nobody near, its arms
    // and handlebar reach further along the lane than any walker's shoulders.
    if track.alongFrames >= ClassifierConfig.tracedFramesMin && narrow
        && track.reachAheadMeanMm >= Int32(config.bicycleReachMeanMinMm)
    {
        return .bicycle
    }
    return .pedestrian
}

/// Whether a shape is a rider's: surfaces above half its height reaching well ahead of the
/// head (`Blob.reachAheadMm`), under a short top.
func isRiderLike(reachAheadMm: Int32, topLengthMm: Int32, config: ClassifierConfig) -> Bool {
    reachAheadMm >= Int32(config.bicycleReachMinMm) && topLengthMm < Int32(config.bicycleTopLengthMaxMm)
}

/// How many people walking abreast a pedestrian object holds. Where a zone is wide at head
/// height (a high mount: 0.25-0.33 m from 4 m with a 60-degree lens) two heads 0.55 m apart
/// often fall in neighbouring zones with no valley between them, so splitting by height peaks
/// alone undercounts groups; under the part's 45 degrees from 3 m (0.13 m) they mostly split. Two widths say how many shoulders there are: the top's (zones
/// within 80 % of the highest point, which on one person spans at most two zones, about 0.73 m)
/// and the true width (surfaces traced down their rays). Both come from the frame where the
/// object was nearest the middle of the view, among the frames where its blob was its own (a
/// track coasts, learning nothing, while another track shares its blob), so people who are
/// tracked separately are not counted again inside a group.
func abreastCount(track: Track, config: ClassifierConfig) -> Int {
    let byTop = abreast(
        widthMm: Int32(track.topWidthMm), meanMm: track.topWidthMeanMm, frames: track.acrossFrames,
        thresholdMm: config.abreastTopWidthMinMm, config: config)
    let byTrue = abreast(
        widthMm: Int32(track.trueWidthMm), meanMm: track.trueWidthMeanMm, frames: track.acrossFrames,
        thresholdMm: config.abreastWidthMinMm, config: config)
    return max(byTop, byTrue)
}

/// People abreast by one width. A count over one stands only if the mean width over the
/// `frames` with nobody beside (when there were `tracedFramesMin` of them) reaches the
/// threshold too: one person straddling three zone columns, or a tall one whose shoulders come
/// near the sensor, reads that wide in the frame nearest the middle, but less on average.
private func abreast(widthMm: Int32, meanMm: Int32, frames: UInt8, thresholdMm: UInt16, config: ClassifierConfig) -> Int {
    let people = count(widthMm: widthMm, thresholdMm: thresholdMm, config: config)
    if people > 1 && frames >= ClassifierConfig.tracedFramesMin && meanMm < Int32(thresholdMm) { return 1 }
    return people
}

private func count(widthMm: Int32, thresholdMm: UInt16, config: ClassifierConfig) -> Int {
    precondition(config.abreastPersonWidthMm > 0)
    let threshold = Int32(thresholdMm)
    if threshold == 0 || widthMm < threshold { return 1 }
    return min(Int(ClassifierConfig.abreastMax), 2 + Int((widthMm - threshold) / Int32(config.abreastPersonWidthMm)))
}
