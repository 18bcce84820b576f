/// Decides the class of a counted object from what its track saw: peak height, footprint,
/// length along the lane, and speed. Height is the strongest cue and is checked first.
func classify(track: Track, geometry: LaneGeometry, config: ClassifierConfig) -> CrossingClass {
    if track.peakMm >= Int32(config.busHeightMinMm) { return .bus }
    if track.topWidthMm >= Int32(config.carWidthMinMm) && track.topAreaDm2 >= Int32(config.carTopAreaMinDm2) {
        return .car
    }
    // Long with a short top: one rider. Two people walking one behind the other are as long,
    // but their top (two heads and shoulders) is long too.
    if track.lengthMm >= Int32(config.bicycleLengthMinMm) && track.topLengthMm < Int32(config.bicycleTopLengthMaxMm) {
        return .bicycle
    }
    if track.speedAlongMmPerS(geometry: geometry) >= Int32(config.bicycleSpeedMinMmPerS) { return .bicycle }
    return .pedestrian
}

/// How many people walking abreast a pedestrian object holds, from its true width across the
/// lane. At the resolution of an 8x8 sensor over a walkway (a zone is about 0.25-0.33 m at head
/// height) two heads 0.55 m apart often fall in neighbouring zones with no valley between them,
/// so splitting by height peaks alone undercounts groups. Only used for a track that never
/// shared its blob with another track (then the others are counted on their own).
func abreastCount(widthMm: Int32, config: ClassifierConfig) -> Int {
    precondition(config.abreastPersonWidthMm > 0)
    let threshold = Int32(config.abreastWidthMinMm)
    if threshold == 0 || widthMm < threshold { return 1 }
    return min(Int(ClassifierConfig.abreastMax), 2 + Int((widthMm - threshold) / Int32(config.abreastPersonWidthMm)))
}
