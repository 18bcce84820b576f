import CrossingCore
import Testing

/// The baseline must behave as the published algorithm does, failures included, or the side
/// by side comparison means nothing.
@Suite("Two-zone baseline (ST UM2600)")
struct TwoZoneCounterTests {
    /// Frames of a flat floor at 4 m with a 1.7 m person covering the given rows.
    static func frame(personRows: Range<Int>?) -> [ZoneReading] {
        (0..<64).map { zone in
            let row = zone / 8
            let inside = personRows.map { $0.contains(row) } ?? false
            return ZoneReading(distanceMm: inside ? 2300 : 4000)
        }
    }

    static func run(_ steps: [Range<Int>?]) -> TwoZoneCounter {
        var counter = TwoZoneCounter()
        let learning = [Range<Int>?](repeating: nil, count: Int(TwoZoneCounter.learnFrames))
        for rows in learning + steps {
            let zones = frame(personRows: rows)
            counter.process(zones: zones.span, side: 8)
        }
        return counter
    }

    @Test("One person crossing each way counts once in the right direction")
    func singleCrossing() {
        let forward = Self.run([nil, 0..<2, 2..<5, 5..<7, 6..<8, nil])
        #expect(forward.towardLastRow == 1)
        #expect(forward.towardFirstRow == 0)
        let back = Self.run([nil, 6..<8, 3..<6, 1..<3, 0..<2, nil])
        #expect(back.towardFirstRow == 1)
        #expect(back.towardLastRow == 0)
    }

    @Test("Walking in and turning back is not counted")
    func turnBack() {
        let counter = Self.run([nil, 0..<2, 2..<5, 0..<2, nil])
        #expect(counter.towardLastRow + counter.towardFirstRow == 0)
    }

    @Test("Two people back to back with no gap count once: the reference algorithm's known failure")
    func backToBackCountsOnce() {
        let counter = Self.run([nil, 0..<2, 0..<5, 2..<7, 5..<8, 6..<8, nil])
        #expect(counter.towardLastRow == 1)
    }

    @Test("Both regions changing in one cycle read first region first: a direction bias")
    func directionBias() {
        // A fast walker who is under one half in one frame and under the other half in the
        // next. Toward the first row, the first region's change is read first (0,2,3,1) and
        // counts; toward the last row the first region empties first, the history resets, and
        // the crossing is lost.
        let towardFirst = Self.run([nil, 5..<7, 1..<3, nil])
        #expect(towardFirst.towardFirstRow == 1)
        let towardLast = Self.run([nil, 1..<3, 5..<7, nil])
        #expect(towardLast.towardLastRow == 0)
    }
}
