import CrossingCore
import CrossingEmulation
import CrossingSimulation
import Foundation
import Testing

@Suite("Recorded frames")
struct FrameFileTests {
    /// Records 300 s of the driver test's walkway while the board counts it: the file and the
    /// board's totals.
    static func record() throws -> (bytes: [UInt8], totals: [UInt64], frames: Int) {
        let scenario = try Scenario.parse(data: Data(DepthSensorDriverTests.scenario.utf8))
        let config = scenario.lanes[0].laneConfig
        var frames = LaneFrames(scenario: scenario, laneIndex: 0, seed: 3, durationS: 300)
        var writer = FrameFileWriter(header: FrameFileHeader(config: config, frameRateHz: 15))
        var board = try EmulatedBoard(config: writer.header.deviceConfig)
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: 64)
        while let header = frames.next(into: &zones) {
            writer.append(header: header, zones: zones.span)
            try board.deliver(lane: 0, header: header, zones: zones.span)
        }
        return (writer.bytes, totals(board), writer.frames)
    }

    static func totals(_ board: EmulatedBoard) -> [UInt64] {
        ScoreReport.classes.flatMap { crossingClass in ScoreReport.directions.map { board.total(lane: 0, crossingClass, $0) } }
    }

    /// Replays a file on a fresh board: its totals, the frames read, and the error that
    /// stopped it, if one did.
    static func replay(_ bytes: [UInt8]) throws -> (totals: [UInt64], frames: Int, error: FrameFileError?) {
        var reader = try FrameFileReader(bytes: bytes)
        var board = try EmulatedBoard(config: reader.header.deviceConfig)
        var zones: [ZoneReading] = []
        var frames = 0
        do {
            while let header = try reader.next(into: &zones) {
                try board.deliver(lane: 0, header: header, zones: zones.span)
                frames += 1
            }
        } catch let error as FrameFileError {
            return (totals(board), frames, error)
        }
        return (totals(board), frames, nil)
    }

    @Test("Replaying a recording gives exactly the counts of the run that recorded it")
    func replayMatchesRecording() throws {
        let recording = try Self.record()
        #expect(recording.totals.reduce(0, +) > 10)
        let replayed = try Self.replay(recording.bytes)
        #expect(replayed.error == nil)
        #expect(replayed.frames == recording.frames)
        #expect(replayed.totals == recording.totals)
    }

    @Test("A truncated or corrupt file is an error at the byte offset of the bad record; the frames before it still count")
    func truncatedAndCorrupt() throws {
        let recording = try Self.record()
        let recordBytes = 4 + 8 + 128 + 4
        let badRecord = recording.frames / 2
        let badOffset = 24 + badRecord * recordBytes
        let truncated = Array(recording.bytes.prefix(badOffset + 100))
        let cut = try Self.replay(truncated)
        #expect(cut.error == FrameFileError(offset: badOffset, reason: "truncated record: 100 of 144 bytes"))
        #expect(cut.frames == badRecord)
        var corrupt = recording.bytes
        corrupt[badOffset + 20] ^= 0x10
        let garbled = try Self.replay(corrupt)
        #expect(garbled.error == FrameFileError(offset: badOffset, reason: "record CRC does not match"))
        #expect(garbled.frames == badRecord)
        // The frames before the bad record count as they did in the full replay's first half.
        #expect(garbled.totals == cut.totals)
        #expect(throws: FrameFileError(offset: 0, reason: "not a frame file (no CCFR magic)")) {
            _ = try FrameFileReader(bytes: [UInt8](repeating: 0, count: 40))
        }
    }
}
