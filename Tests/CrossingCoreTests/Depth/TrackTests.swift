@testable import CrossingCore
import Testing

@Suite("Track")
struct TrackTests {
    static let config = LaneConfig()
    static let geometry = LaneGeometry(config)
    static let frameUs: UInt64 = 66_667

    /// A walker's blob with nobody near, centred at `row` (in zones) in the middle column,
    /// reaching `reachMm` beyond its head both ways.
    static func walker(row: Double, reachMm: Int32 = 300) -> Blob {
        var blob = Blob()
        blob.xQ8 = 4 * 256
        blob.yQ8 = Int32(row * 256)
        blob.peakMm = 1750
        blob.topWidthMm = 650
        blob.topLengthMm = 650
        blob.trueWidthMm = 700
        blob.reachTowardFirstRowMm = reachMm
        blob.reachTowardLastRowMm = reachMm
        return blob
    }

    static let alone: Solitude = {
        var solitude = Solitude()
        solitude.along = true
        solitude.across = true
        return solitude
    }()

    @Test("A track that has crossed restarts its averages once it comes a zone back toward the line, and not before")
    func returnRestartsTheLeg() {
        var track = Track()
        var timeUs: UInt64 = 0
        track.start(blob: Self.walker(row: 4.2), timeUs: timeUs, config: Self.config.classifier, geometry: Self.geometry)
        track.beginLeg(timeUs: timeUs)
        // On its way out, rider-long: this is what the crossing counted.
        for step in 1...12 {
            timeUs += Self.frameUs
            let row = 4.2 + Double(step) * 0.25
            track.update(
                blob: Self.walker(row: row, reachMm: 800), solitude: Self.alone, timeUs: timeUs, config: Self.config,
                geometry: Self.geometry)
        }
        #expect(track.alongFrames == 12)
        #expect(track.reachAheadMeanMm == 800)
        // Three quarters of a zone back is still wobble around the farthest point.
        for row in [7.0, 6.75, 6.5] {
            timeUs += Self.frameUs
            track.update(
                blob: Self.walker(row: row), solitude: Self.alone, timeUs: timeUs, config: Self.config,
                geometry: Self.geometry)
        }
        #expect(track.alongFrames == 15)
        // A whole zone back: what comes back toward the line is learnt afresh.
        timeUs += Self.frameUs
        track.update(
            blob: Self.walker(row: 6.2), solitude: Self.alone, timeUs: timeUs, config: Self.config,
            geometry: Self.geometry)
        #expect(track.alongFrames == 1)
        #expect(track.reachAheadMeanMm == 300)
        #expect(track.legFrames == 1 && track.riderFrames == 0)
    }

    @Test("A track that has never crossed keeps its averages whichever way it walks")
    func firstLegNeverRestarts() {
        var track = Track()
        var timeUs: UInt64 = 0
        track.start(blob: Self.walker(row: 1.0), timeUs: timeUs, config: Self.config.classifier, geometry: Self.geometry)
        for row in [1.5, 2.0, 2.5, 3.0, 2.5, 2.0, 1.5, 1.0] {
            timeUs += Self.frameUs
            track.update(
                blob: Self.walker(row: row), solitude: Self.alone, timeUs: timeUs, config: Self.config,
                geometry: Self.geometry)
        }
        #expect(track.alongFrames == 8)
    }

    @Test("The first blob after a merge teaches a track its height only: it may still hold part of the other object")
    func emergingBlobIsNotLearnt() {
        var track = Track()
        var timeUs: UInt64 = 0
        track.start(blob: Self.walker(row: 2.0), timeUs: timeUs, config: Self.config.classifier, geometry: Self.geometry)
        timeUs += Self.frameUs
        track.update(
            blob: Self.walker(row: 2.5), solitude: Self.alone, timeUs: timeUs, config: Self.config, geometry: Self.geometry)
        timeUs += Self.frameUs
        track.coast(toXQ8: 4 * 256, yQ8: 3 * 256, timeUs: timeUs)
        timeUs += Self.frameUs
        var parted = Self.walker(row: 4.0, reachMm: 800)
        parted.peakMm = 1900
        track.update(blob: parted, solitude: Self.alone, timeUs: timeUs, config: Self.config, geometry: Self.geometry)
        #expect(track.reachAheadMm == 300)
        #expect(track.alongFrames == 1 && track.legFrames == 2)
        #expect(track.peakMm == 1900)
        // The next frame is its own again.
        timeUs += Self.frameUs
        track.update(
            blob: Self.walker(row: 4.0, reachMm: 800), solitude: Self.alone, timeUs: timeUs, config: Self.config,
            geometry: Self.geometry)
        #expect(track.reachAheadMm == 800)
        #expect(track.legFrames == 3 && track.riderFrames == 1)
    }
}
