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

    /// A track whose leg saw `frames` frames alone, each with this traced length and true width.
    static func alone(_ track: Track, frames: UInt16, tracedLengthMm: Int32, trueWidthMm: Int32) -> Track {
        var track = track
        track.aloneFrames = frames
        track.tracedLengthSumMm = Int32(frames) * tracedLengthMm
        track.trueWidthSumMm = Int32(frames) * trueWidthMm
        return track
    }

    @Test("A cyclist held to walking pace is a bicycle by its mean traced length; a walker, or walkers abreast, are not")
    func slowCyclistByTracedLength() {
        let config = LaneConfig()
        let geometry = LaneGeometry(config)
        // One frame's shape says walker (1.1 m long, a 0.65 m top), and the speed is a walker's.
        var shape = Self.track(topWidthMm: 650, topLengthMm: 650, topAreaDm2: 40, peakMm: 1650)
        shape.lengthMm = 1100
        shape.trueWidthMm = 690
        let cyclist = Self.alone(shape, frames: 14, tracedLengthMm: 950, trueWidthMm: 690)
        let walker = Self.alone(shape, frames: 14, tracedLengthMm: 600, trueWidthMm: 690)
        let glimpsed = Self.alone(shape, frames: 3, tracedLengthMm: 950, trueWidthMm: 690)
        var pair = shape
        pair.topWidthMm = 900
        let abreast = Self.alone(pair, frames: 14, tracedLengthMm: 950, trueWidthMm: 1100)
        #expect(classify(track: cyclist, geometry: geometry, config: config.classifier) == .bicycle)
        #expect(classify(track: walker, geometry: geometry, config: config.classifier) == .pedestrian)
        #expect(classify(track: glimpsed, geometry: geometry, config: config.classifier) == .pedestrian)
        #expect(classify(track: abreast, geometry: geometry, config: config.classifier) == .pedestrian)
    }

    @Test("One frame reading a walker 1 m wide counts two abreast only if the walker averages 0.9 m wide alone")
    func abreastNeedsTheMeanWidth() {
        let config = LaneConfig()
        var shape = Self.track(topWidthMm: 620, topLengthMm: 620, topAreaDm2: 40)
        shape.trueWidthMm = 1015
        let single = Self.alone(shape, frames: 25, tracedLengthMm: 600, trueWidthMm: 760)
        let pair = Self.alone(shape, frames: 25, tracedLengthMm: 600, trueWidthMm: 1050)
        let unseen = Self.alone(shape, frames: 0, tracedLengthMm: 0, trueWidthMm: 0)
        #expect(abreastCount(track: single, config: config.classifier) == 1)
        #expect(abreastCount(track: pair, config: config.classifier) == 2)
        #expect(abreastCount(track: unseen, config: config.classifier) == 2)
    }
}
