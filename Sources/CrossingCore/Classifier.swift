/// Decides the class of a counted object from what its track saw: peak height, footprint,
/// length along the lane, and speed. Height is the strongest cue and is checked first.
func classify(track: Track, geometry: LaneGeometry, config: ClassifierConfig) -> CrossingClass {
    if track.peakMm >= Int32(config.busHeightMinMm) { return .bus }
    if track.topWidthMm >= Int32(config.carWidthMinMm) && track.topAreaDm2 >= Int32(config.carTopAreaMinDm2) {
        return .car
    }
    if track.lengthMm >= Int32(config.bicycleLengthMinMm) { return .bicycle }
    if track.speedAlongMmPerS(geometry: geometry) >= Int32(config.bicycleSpeedMinMmPerS) { return .bicycle }
    return .pedestrian
}
