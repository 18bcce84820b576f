/// Decides the class of a counted object from what its track saw: peak height, footprint,
/// length along the lane, and speed. Height is the strongest cue and is checked first.
func classify(track: Track, geometry: LaneGeometry, config: ClassifierConfig) -> CrossingClass {
    if track.peakMm >= Int32(config.busHeightMinMm) { return .bus }
    let roofLike = track.topWidthMm >= Int32(config.carWidthMinMm) || track.topLengthMm >= Int32(config.carTopLengthMinMm)
    if roofLike && track.topAreaDm2 >= Int32(config.carTopAreaMinDm2) { return .car }
    // Long with a short top: one rider. Two people walking one behind the other are as long,
    // but their top (two heads and shoulders) is long too.
    if track.lengthMm >= Int32(config.bicycleLengthMinMm) && track.topLengthMm < Int32(config.bicycleTopLengthMaxMm) {
        return .bicycle
    }
    // A rider held to walking pace behind a walker: over the frames where its blob was its
    // own, its arms and handlebar reach further along the lane than any walker's shoulders.
    // One rider is narrow; walkers abreast are not, and may walk a little staggered.
    if track.aloneFrames >= ClassifierConfig.tracedFramesMin
        && track.tracedLengthMeanMm >= Int32(config.bicycleTracedLengthMinMm)
        && track.topWidthMm < Int32(config.abreastTopWidthMinMm) && track.trueWidthMm < Int32(config.abreastWidthMinMm)
    {
        return .bicycle
    }
    if track.speedAlongMmPerS(geometry: geometry) >= Int32(config.bicycleSpeedMinMmPerS) { return .bicycle }
    return .pedestrian
}

/// How many people walking abreast a pedestrian object holds. At the resolution of an 8x8
/// sensor over a walkway (a zone is about 0.25-0.33 m at head height) two heads 0.55 m apart
/// often fall in neighbouring zones with no valley between them, so splitting by height peaks
/// alone undercounts groups. Two widths say how many shoulders there are: the top's (zones
/// within 80 % of the highest point, which on one person spans at most two zones, about 0.73 m)
/// and the true width (surfaces traced down their rays). Both come from the frame where the
/// object was nearest the middle of the view, among the frames where its blob was its own (a
/// track coasts, learning nothing, while another track shares its blob), so people who are
/// tracked separately are not counted again inside a group.
func abreastCount(track: Track, config: ClassifierConfig) -> Int {
    let byTop = count(widthMm: track.topWidthMm, thresholdMm: config.abreastTopWidthMinMm, config: config)
    var byTrue = count(widthMm: track.trueWidthMm, thresholdMm: config.abreastWidthMinMm, config: config)
    // One person straddling three zone columns reads over 1 m in whichever frame happens to be
    // nearest the middle; over the frames alone, one person averages under 0.9 m.
    if byTrue > 1 && track.aloneFrames >= ClassifierConfig.tracedFramesMin
        && track.trueWidthMeanMm < ClassifierConfig.abreastMeanWidthMinMm
    {
        byTrue = 1
    }
    return max(byTop, byTrue)
}

private func count(widthMm: Int32, thresholdMm: UInt16, config: ClassifierConfig) -> Int {
    precondition(config.abreastPersonWidthMm > 0)
    let threshold = Int32(thresholdMm)
    if threshold == 0 || widthMm < threshold { return 1 }
    return min(Int(ClassifierConfig.abreastMax), 2 + Int((widthMm - threshold) / Int32(config.abreastPersonWidthMm)))
}
