@testable import CrossingCore
import Testing

@Suite("Classifier")
struct ClassifierTests {
    /// A track's shape in the frame nearest the middle; its length is its top's unless given.
    static func track(
        topWidthMm: Int32, topLengthMm: Int16, topAreaDm2: Int32, peakMm: Int32 = 1700, reachAheadMm: Int16? = nil,
        trueWidthMm: Int16 = 0
    ) -> Track {
        var track = Track()
        track.peakMm = peakMm
        track.topWidthMm = Int16(topWidthMm)
        track.topLengthMm = topLengthMm
        track.topAreaDm2 = topAreaDm2
        track.reachAheadMm = reachAheadMm ?? topLengthMm / 2
        track.trueWidthMm = trueWidthMm
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

    /// A track whose leg saw `frames` frames with no neighbour, each with this reach ahead and
    /// true width.
    static func alone(_ track: Track, frames: UInt8, reachAheadMm: Int32, trueWidthMm: Int32) -> Track {
        var track = track
        track.alongFrames = frames
        track.acrossFrames = frames
        track.reachAheadSumMm = Int32(frames) * reachAheadMm
        track.trueWidthSumMm = Int32(frames) * trueWidthMm
        return track
    }

    @Test("A cyclist held to walking pace is a bicycle by its mean reach ahead; a walker, or walkers abreast, are not")
    func slowCyclistByReachAhead() {
        let config = LaneConfig()
        let geometry = LaneGeometry(config)
        // One frame's shape says walker (reaching 0.4 m ahead, a 0.45 m top), and the speed is a
        // walker's.
        let shape = Self.track(
            topWidthMm: 450, topLengthMm: 450, topAreaDm2: 20, peakMm: 1650, reachAheadMm: 400, trueWidthMm: 500)
        let cyclist = Self.alone(shape, frames: 14, reachAheadMm: 500, trueWidthMm: 500)
        let walker = Self.alone(shape, frames: 14, reachAheadMm: 250, trueWidthMm: 500)
        let glimpsed = Self.alone(shape, frames: 3, reachAheadMm: 500, trueWidthMm: 500)
        var pair = shape
        pair.topWidthMm = 900
        let abreast = Self.alone(pair, frames: 14, reachAheadMm: 500, trueWidthMm: 1100)
        #expect(classify(track: cyclist, geometry: geometry, config: config.classifier) == .bicycle)
        #expect(classify(track: walker, geometry: geometry, config: config.classifier) == .pedestrian)
        #expect(classify(track: glimpsed, geometry: geometry, config: config.classifier) == .pedestrian)
        #expect(classify(track: abreast, geometry: geometry, config: config.classifier) == .pedestrian)
    }

    /// `track` moving along the lane at `mmPerS` for a second before the crossing.
    static func moving(_ track: Track, mmPerS: Int32, geometry: LaneGeometry) -> Track {
        var track = track
        track.firstUs = 1_000_000
        track.lastUs = 2_000_000
        track.yQ8 = mmPerS * 256 / geometry.pitchMm(atHeightMm: track.peakMm)
        return track
    }

    @Test("At walking pace a pram pushed ahead is a pedestrian; at a rider's speed, or reaching no further than a handlebar, the shape is a bicycle")
    func pramIsNotARider() {
        let config = LaneConfig()
        let geometry = LaneGeometry(config)
        // A rider's shape, reaching 0.7 m ahead on average and 0.8 m at most, at a walker's speed.
        var shape = Self.alone(
            Self.track(topWidthMm: 450, topLengthMm: 450, topAreaDm2: 20, peakMm: 1650, reachAheadMm: 700, trueWidthMm: 550),
            frames: 20, reachAheadMm: 700, trueWidthMm: 550)
        shape.reachAheadMaxMm = 800
        let rider = Self.moving(shape, mmPerS: 700, geometry: geometry)
        // The pram's front, out of view in the middle, in view as its pusher comes in.
        var pram = rider
        pram.reachAheadMaxMm = 1250
        #expect(classify(track: rider, geometry: geometry, config: config.classifier) == .bicycle)
        #expect(classify(track: pram, geometry: geometry, config: config.classifier) == .pedestrian)
        // Nothing pushed moves at a rider's speed.
        let fast = Self.moving(pram, mmPerS: 2500, geometry: geometry)
        #expect(classify(track: fast, geometry: geometry, config: config.classifier) == .bicycle)
    }

    @Test("Long with a short top is a rider only if narrow, walkers abreast are not; with abreast counting off, width is not asked")
    func longNarrowIsARider() {
        var config = LaneConfig()
        let geometry = LaneGeometry(config)
        let rider = Self.track(
            topWidthMm: 650, topLengthMm: 600, topAreaDm2: 40, peakMm: 1750, reachAheadMm: 800, trueWidthMm: 700)
        var group = rider
        group.topWidthMm = 900
        group.trueWidthMm = 1050
        #expect(classify(track: rider, geometry: geometry, config: config.classifier) == .bicycle)
        #expect(classify(track: group, geometry: geometry, config: config.classifier) == .pedestrian)
        // With abreast counting turned off, width says nothing, and reach alone decides.
        config.classifier.abreastTopWidthMinMm = 0
        config.classifier.abreastWidthMinMm = 0
        #expect(classify(track: rider, geometry: geometry, config: config.classifier) == .bicycle)
        #expect(classify(track: group, geometry: geometry, config: config.classifier) == .bicycle)
        let cyclist = Self.alone(rider, frames: 14, reachAheadMm: 500, trueWidthMm: 700)
        var slow = cyclist
        slow.reachAheadMm = 900
        #expect(classify(track: slow, geometry: geometry, config: config.classifier) == .bicycle)
    }

    @Test("Long with a short top in one frame of many is a walker stretched by a neighbour, not a rider")
    func riderLengthInFewFramesIsAWalker() {
        let config = LaneConfig()
        let geometry = LaneGeometry(config)
        var walker = Self.track(
            topWidthMm: 650, topLengthMm: 650, topAreaDm2: 40, peakMm: 1840, reachAheadMm: 800, trueWidthMm: 650)
        walker.legFrames = 46
        walker.riderFrames = 5
        var rider = walker
        rider.riderFrames = 6
        #expect(classify(track: walker, geometry: geometry, config: config.classifier) == .pedestrian)
        #expect(classify(track: rider, geometry: geometry, config: config.classifier) == .bicycle)
        // A fast rider seen whole in one frame of three.
        var glimpsed = walker
        glimpsed.legFrames = 3
        glimpsed.riderFrames = 1
        #expect(classify(track: glimpsed, geometry: geometry, config: config.classifier) == .bicycle)
    }

    /// `track` with `frames` frames with nobody beside, each with these top and true widths.
    static func unflanked(_ track: Track, frames: UInt8, topWidthMm: Int32, trueWidthMm: Int32) -> Track {
        var track = Self.alone(track, frames: frames, reachAheadMm: 200, trueWidthMm: trueWidthMm)
        track.topWidthSumMm = Int32(frames) * topWidthMm
        return track
    }

    @Test("A width over a threshold counts two abreast only if its mean over the frames with nobody beside reaches it too")
    func abreastNeedsTheMeanWidth() {
        let config = LaneConfig()
        // One person straddling three zone columns: 1,015 mm true width in the frame nearest
        // the middle, 760 mm on average.
        let straddling = Self.track(topWidthMm: 620, topLengthMm: 620, topAreaDm2: 40, trueWidthMm: 1015)
        let single = Self.unflanked(straddling, frames: 25, topWidthMm: 620, trueWidthMm: 760)
        let pair = Self.unflanked(straddling, frames: 25, topWidthMm: 620, trueWidthMm: 1050)
        let unseen = Self.unflanked(straddling, frames: 0, topWidthMm: 0, trueWidthMm: 0)
        let glimpsed = Self.unflanked(straddling, frames: 7, topWidthMm: 620, trueWidthMm: 760)
        #expect(abreastCount(track: single, config: config.classifier) == 1)
        #expect(abreastCount(track: pair, config: config.classifier) == 2)
        #expect(abreastCount(track: unseen, config: config.classifier) == 2)
        #expect(abreastCount(track: glimpsed, config: config.classifier) == 2)
        // A walker 1.93 m tall, whose shoulders come near the sensor: a top three zones
        // (900 mm) wide in the frame nearest the middle, 780 mm on average (bicycles-and-walkers,
        // seed 4). Two abreast keep a wide top in most frames.
        let tall = Self.track(topWidthMm: 900, topLengthMm: 600, topAreaDm2: 45, peakMm: 1930, trueWidthMm: 830)
        let tallSingle = Self.unflanked(tall, frames: 23, topWidthMm: 780, trueWidthMm: 820)
        let tallPair = Self.unflanked(tall, frames: 23, topWidthMm: 1000, trueWidthMm: 820)
        #expect(abreastCount(track: tallSingle, config: config.classifier) == 1)
        #expect(abreastCount(track: tallPair, config: config.classifier) == 2)
        // The mean only vetoes: a mean wider than the frame does not add people.
        let wideMean = Self.unflanked(straddling, frames: 25, topWidthMm: 1700, trueWidthMm: 1700)
        var narrow = wideMean
        narrow.trueWidthMm = 700
        #expect(abreastCount(track: narrow, config: config.classifier) == 1)
    }

    @Test("A neighbour straight ahead or behind leaves a blob's width its own; one beside or at a corner does not")
    func solitudeByNeighbour() {
        func blob(rows: ClosedRange<Int32>, cols: ClosedRange<Int32>) -> Blob {
            var blob = Blob()
            blob.rowMin = rows.lowerBound
            blob.rowMax = rows.upperBound
            blob.colMin = cols.lowerBound
            blob.colMax = cols.upperBound
            return blob
        }
        let walker = blob(rows: 3...5, cols: 4...6)
        let cases: [(Blob, along: Bool, across: Bool)] = [
            (blob(rows: 6...6, cols: 4...5), false, true),  // ahead, touching
            (blob(rows: 1...2, cols: 5...6), false, true),  // behind, touching
            (blob(rows: 3...4, cols: 7...7), false, false),  // beside
            (blob(rows: 6...7, cols: 7...7), false, false),  // at a corner
            (blob(rows: 0...1, cols: 0...2), true, true),  // a row and a column between
        ]
        for (neighbour, along, across) in cases {
            let blobs = [walker, neighbour]
            let solitude = Solitude(blob: 0, blobs: blobs.span)
            #expect(solitude.along == along, "neighbour rows \(neighbour.rowMin)-\(neighbour.rowMax) cols \(neighbour.colMin)-\(neighbour.colMax)")
            #expect(solitude.across == across, "neighbour rows \(neighbour.rowMin)-\(neighbour.rowMax) cols \(neighbour.colMin)-\(neighbour.colMax)")
        }
        let alone = [walker]
        #expect(Solitude(blob: 0, blobs: alone.span).along && Solitude(blob: 0, blobs: alone.span).across)
    }
}
