import CrossingCore
import Testing

/// A sensor that cannot see its lane must say so: the lane's condition from the share of zone
/// readings without a distance over each minute of frames.
@Suite("Sensor condition")
struct SensorConditionTests {
    /// Feeds `seconds` of empty frames at 10 Hz with `invalid` zones of the 64 reading invalid.
    static func run(_ feeder: inout FrameFeeder, seconds: Int, invalid: Int) throws {
        for _ in 0..<(seconds * 10) { _ = try feeder.feed([], invalid: Set(0..<invalid)) }
    }

    @Test("Clean frames are ok; past half the zones invalid for a minute the lane is blind, a fifth to a half degraded; it recovers")
    func judgesEachMinute() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try Self.run(&feeder, seconds: 61, invalid: 0)
        #expect(feeder.lane.sensorCondition == .ok)
        // A floor out of range: 40 of 64 zones return nothing, for two minutes.
        try Self.run(&feeder, seconds: 121, invalid: 40)
        #expect(feeder.lane.sensorCondition == .blind)
        try Self.run(&feeder, seconds: 61, invalid: 20)
        #expect(feeder.lane.sensorCondition == .degraded)
        try Self.run(&feeder, seconds: 61, invalid: 6)
        #expect(feeder.lane.sensorCondition == .ok)
    }

    @Test("A few seconds of a blinded sensor within a minute of good frames leave it ok")
    func briefBlindnessIsNotBlind() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try Self.run(&feeder, seconds: 55, invalid: 0)
        try Self.run(&feeder, seconds: 5, invalid: 64)
        try Self.run(&feeder, seconds: 61, invalid: 0)
        #expect(feeder.lane.sensorCondition == .ok)
    }
}
