import CrossingCore
import Testing

@Suite("Bad frames, dropouts and gaps")
struct RobustnessTests {
    @Test("All-invalid frames count nothing, are counted in health, and do not break a crossing")
    func allInvalidFrames() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        let everyZone = Set(0..<64)
        for _ in 0..<100 { try feeder.feed([], invalid: everyZone) }
        #expect(feeder.lane.grandTotal == 0)
        #expect(feeder.lane.health.invalidZones == 6400)
        #expect(feeder.lane.activeTracks == 0)

        // A walker whose crossing is interrupted by two all-invalid frames while standing under
        // the sensor: the two-zone reference counter counts 2 here; this must count 1.
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 3, milliRowsPerFrame: 500)
        try feeder.hold([Shape.person(row: 3, col: 2)], frames: 10)
        try feeder.feed([], invalid: everyZone)
        try feeder.feed([], invalid: everyZone)
        try feeder.hold([Shape.person(row: 3, col: 2)], frames: 10)
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: 3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A long all-invalid outage drops the track instead of inventing a crossing")
    func longOutage() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 1, milliRowsPerFrame: 500)
        for _ in 0..<50 { try feeder.feed([], invalid: Set(0..<64)) }
        #expect(feeder.lane.activeTracks == 0)
        try feeder.hold([], frames: 20)
        #expect(feeder.lane.grandTotal == 0)
    }

    @Test("A frame with the wrong dimensions is refused and changes nothing")
    func wrongDimensions() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        let before = feeder.lane.health
        let short = [ZoneReading](repeating: ZoneReading(distanceMm: 4000), count: 16)
        #expect(throws: FrameError.zoneCount(expected: 64, got: 16)) {
            try feeder.feed(readings: short)
        }
        #expect(throws: FrameError.sideMismatch(expected: 8, got: 4)) {
            try feeder.feed(readings: short, side: 4)
        }
        #expect(throws: FrameError.sideUnsupported(side: 6)) {
            try feeder.feed(readings: short, side: 6)
        }
        #expect(feeder.lane.health.framesProcessed == before.framesProcessed)
        #expect(feeder.lane.health.framesRejected == before.framesRejected + 3)
        // The lane goes on counting with the next good frame.
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A 4x4 lane takes 4x4 frames and refuses 8x8 ones")
    func fourByFour() throws {
        var config = Lanes.walkway
        config.side = 4
        var feeder = try FrameFeeder(config: config)
        try feeder.learnFloor()
        let big = [ZoneReading](repeating: ZoneReading(distanceMm: 4000), count: 64)
        #expect(throws: FrameError.sideMismatch(expected: 4, got: 8)) {
            try feeder.feed(readings: big, side: 8)
        }
        #expect(feeder.lane.health.framesProcessed == 40)
    }

    @Test("Headers that go backwards or repeat are refused; sequence gaps are counted")
    func sequenceAndTime() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        let empty = feeder.zones([])
        // A jump of 5 in the sequence means 4 frames were lost on the way.
        try feeder.feed(readings: empty, sequenceStep: 5)
        try feeder.feed(readings: empty)
        #expect(feeder.lane.health.sequenceGaps == 4)

        let last = feeder.sequence &- 1
        let lastTimeUs = feeder.timeUs - feeder.periodUs
        #expect(throws: FrameError.sequenceRepeated(sequence: last)) {
            try feeder.lane.process(
                header: FrameHeader(sequence: last, timestampUs: feeder.timeUs, side: 8), zones: empty.span, scratch: &feeder.scratch)
        }
        #expect(throws: FrameError.sequenceBackwards(last: last, got: last &- 3)) {
            try feeder.lane.process(
                header: FrameHeader(sequence: last &- 3, timestampUs: feeder.timeUs, side: 8), zones: empty.span, scratch: &feeder.scratch)
        }
        #expect(throws: FrameError.timestampNotIncreasing(lastUs: lastTimeUs, gotUs: lastTimeUs)) {
            try feeder.lane.process(
                header: FrameHeader(sequence: last &+ 1, timestampUs: lastTimeUs, side: 8), zones: empty.span, scratch: &feeder.scratch)
        }
        #expect(feeder.lane.health.framesRejected == 3)
        #expect(feeder.lane.health.sequenceGaps == 4)

        // The sequence counter wraps like the sensor's, and that is not a gap.
        var wrapping = try FrameFeeder(config: Lanes.walkway)
        wrapping.sequence = UInt32.max - 10
        try wrapping.learnFloor()
        #expect(wrapping.lane.health.sequenceGaps == 0)
        #expect(wrapping.lane.health.framesProcessed == 40)
    }

    @Test("Invalid configurations name the field")
    func invalidConfig() {
        var config = LaneConfig()
        config.side = 6
        #expect(config.validate() == ConfigError(field: "side", reason: "must be 4 or 8"))
        config = LaneConfig()
        config.binIntervalMs = 10
        #expect(config.validate()?.field.description == "binIntervalMs")
        #expect(throws: ConfigError.self) { try DepthLaneCounter(config: config) }
        #expect(LaneConfig().validate() == nil)
    }
}
