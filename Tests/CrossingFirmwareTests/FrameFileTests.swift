import CrossingCore
import CrossingEmulation
import CrossingFirmware
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
        var writer = FrameFileWriter(header: FrameFileHeader(depth: config, frameRateMilliHz: 15_000))
        var board = try EmulatedBoard(config: writer.header.deviceConfig())
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
        var board = try EmulatedBoard(config: reader.header.deviceConfig())
        var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
        var frames = 0
        do {
            while let record = try reader.next(into: &zones) {
                try board.deliver(lane: 0, record: record, zones: zones)
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

    @Test("A loop pair's scans replay to the counts of the run that recorded them")
    func loopRecording() throws {
        let scenario = try Scenario.load(path: "Hardware/scenarios/suite/loop-free-flow.json")
        let lane = scenario.lanes[0]
        var samples = LoopSamples(scenario: scenario, laneIndex: 0, seed: 2, durationS: 240)
        var writer = FrameFileWriter(header: FrameFileHeader(loops: lane.loopConfig))
        var board = try EmulatedBoard(config: writer.header.deviceConfig())
        while let scan = samples.next() {
            writer.append(scan)
            try board.deliver(lane: 0, scan: scan)
        }
        #expect(writer.bytes.count == 24 + writer.frames * 33)
        let recorded = Self.totals(board)
        #expect(recorded.reduce(0, +) >= 3)
        let replayed = try Self.replay(writer.bytes)
        #expect(replayed.error == nil)
        #expect(replayed.frames == writer.frames)
        #expect(replayed.totals == recorded)
        var corrupt = writer.bytes
        corrupt[24 + 33 * 10 + 28] = 0xF3
        // A status byte that is no loop state, its CRC made good: refused by name at its offset.
        var crc = CRC32()
        crc.update(corrupt.span.extracting((24 + 330)..<(24 + 330 + 29)))
        for index in 0..<4 { corrupt[24 + 330 + 29 + index] = UInt8(truncatingIfNeeded: crc.value >> (8 * index)) }
        let bad = try Self.replay(corrupt)
        #expect(bad.frames == 10)
        #expect(bad.error?.offset == 24 + 330 + 28)
        #expect(bad.error?.reason.hasPrefix("loop status byte 243") == true)
    }

    @Test("A depth header at 0 Hz (what Tools/fuzz frame-file found) or at 8x8 past the part's 15 Hz is refused at its field, and a frame at the end of time replays")
    func fuzzFindings() throws {
        let scenario = try Scenario.parse(data: Data(DepthSensorDriverTests.scenario.utf8))
        var writer = FrameFileWriter(header: FrameFileHeader(depth: scenario.lanes[0].laneConfig, frameRateMilliHz: 15_000))
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 4000), count: 64)
        writer.append(header: FrameHeader(sequence: 1, timestampUs: 0, side: 8), zones: zones.span)
        zones[0] = ZoneReading(distanceMm: 3000)
        writer.append(header: FrameHeader(sequence: 2, timestampUs: UInt64.max, side: 8), zones: zones.span)
        // The last frame's time overflowed the rig's second turn: the replay trapped.
        let replayed = try Self.replay(writer.bytes)
        #expect(replayed.error == nil && replayed.frames == 2)
        // Rates the device refuses to boot on, the CRC made good: the reader refuses the header.
        // 0 Hz, and 8x8 faster than the part ranges it (15 Hz).
        for rateMilliHz: UInt32 in [0, 15_001, 60_000] {
            var bad = writer.bytes
            for index in 0..<4 { bad[8 + index] = UInt8(truncatingIfNeeded: rateMilliHz >> (8 * index)) }
            var crc = CRC32()
            crc.update(bad.span.extracting(0..<20))
            for index in 0..<4 { bad[20 + index] = UInt8(truncatingIfNeeded: crc.value >> (8 * index)) }
            #expect(throws: FrameFileError.self) { try FrameFileReader(bytes: bad) }
            do {
                _ = try FrameFileReader(bytes: bad)
            } catch {
                #expect(error.offset == 8 && error.reason.contains("frame_rate_hz"), "\(rateMilliHz) mHz: \(error)")
            }
        }
    }
}
