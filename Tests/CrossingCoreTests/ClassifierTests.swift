@testable import CrossingCore
import Testing

@Suite("Classifier")
struct ClassifierTests {
    static func track(topWidthMm: Int32, topLengthMm: Int32, topAreaDm2: Int32, peakMm: Int32 = 1700) -> Track {
        var track = Track()
        track.peakMm = peakMm
        track.topWidthMm = topWidthMm
        track.topLengthMm = topLengthMm
        track.topAreaDm2 = topAreaDm2
        track.lengthMm = topLengthMm
        return track
    }

    @Test("A car roof two zone columns wide reads 10 mm under the car width and is still a car; walkers' tops are not")
    func narrowRoofIsACar() {
        var config = LaneConfig()
        config.mountHeightMm = 7000
        config.floorSpanMm = 5800
        let geometry = LaneGeometry(config)
        // Seen over a road from 7 m: 2 x 645 mm columns, 4 rows, 332 dm2.
        let roof = Self.track(topWidthMm: 1290, topLengthMm: 2580, topAreaDm2: 332)
        #expect(classify(track: roof, geometry: geometry, config: config.classifier) == .car)
        // Two walkers abreast: two columns, one row. One behind the other: two rows, one column.
        let abreast = Self.track(topWidthMm: 1290, topLengthMm: 645, topAreaDm2: 83)
        let inLine = Self.track(topWidthMm: 645, topLengthMm: 1290, topAreaDm2: 83)
        #expect(classify(track: abreast, geometry: geometry, config: config.classifier) != .car)
        #expect(classify(track: inLine, geometry: geometry, config: config.classifier) != .car)
    }
}
