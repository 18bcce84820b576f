import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

@Suite("Device config")
struct ConfigTests {
    static let document = """
        {"device": "vl-pole-3", "site": "verkhny-lars", "bin_interval_s": 60, "persist_interval_s": 30,
         "export": "tcp://127.0.0.1:8094",
         "key": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
         "lanes": [
           {"name": "walkway", "address": 41,
            "sensor": {"kind": "depth", "grid": 8, "mount_height_mm": 4000, "floor_span_mm": 4619,
                       "frame_rate_hz": 15, "line_permille": 500, "outbound": "toward_last_row"}},
           {"name": "cars-in", "address": 48,
            "sensor": {"kind": "loops", "sample_rate_hz": 200, "loop_length_mm": 1500, "loop_spacing_mm": 4000,
                       "outbound": "b_first"}}
         ]}
        """

    static func parse(_ text: String) throws(ScenarioError) -> DeviceConfig {
        try DeviceConfigFile.parse(data: Data(text.utf8), file: "pole.json")
    }

    @Test("The documented example loads with every field read")
    func loadsExample() throws {
        let config = try Self.parse(Self.document)
        #expect(config.device.string == "vl-pole-3" && config.site.string == "verkhny-lars")
        #expect(config.persistIntervalS == 30 && config.export.string == "tcp://127.0.0.1:8094")
        #expect(config.keyPresent && config.key[31] == 0x1F)
        #expect(config.laneCount == 2 && config.lane(1).address == 48)
        guard case .depth(let lane, let rate) = config.lane(0).sensor, case .loops(let loops) = config.lane(1).sensor else {
            Issue.record("wrong sensor kinds")
            return
        }
        #expect(lane.floorSpanMm == 4619 && rate == 15_000)
        #expect(!loops.outboundCrossesAFirst)
    }

    @Test(
        "Each wrong field is named with its reason",
        arguments: [
            ("\"device\": \"vl-pole-3\"", "\"device\": \"\"", "device", "must be a non-empty string"),
            ("\"address\": 48", "\"address\": 200", "lanes[1].address", "must be in 8...119, got 200"),
            ("\"name\": \"cars-in\"", "\"name\": \"cars\\\\in\"", "lanes[1].name", "must not be empty, nor hold a control byte or a backslash"),
            ("\"address\": 48", "\"address\": 41", "lanes[1].address", "must be unique on the bus"),
            ("\"name\": \"cars-in\"", "\"name\": \"walkway\"", "lanes[1].name", "must be unique on the device"),
            ("\"kind\": \"loops\"", "\"kind\": \"radar\"", "lanes[1].sensor.kind", "must be one of depth, loops, got 'radar'"),
            ("\"grid\": 8", "\"grid\": 8, \"colour\": 1", "lanes[0].sensor.colour", "unknown field"),
            ("\"frame_rate_hz\": 15", "\"frame_rate_hz\": 16", "lanes[0].sensor.frame_rate_hz", "must be 1...15 at 8x8 (the part's limit), got 16.0"),
            ("\"key\": \"00", "\"key\": \"zz", "key", "must be 64 hexadecimal digits (32 bytes)"),
            ("tcp://127.0.0.1:8094", "udp://127.0.0.1:8094", "export", "must be tcp://HOST:PORT or http://HOST:PORT/..., got 'udp://127.0.0.1:8094'"),
            ("\"bin_interval_s\": 60", "\"bin_interval_s\": 0", "bin_interval_s", "must be in 1...86400, got 0"),
        ])
    func namesTheField(from: String, to: String, field: String, reason: String) throws {
        #expect(Self.document.contains(from))
        let broken = Self.document.replacingOccurrences(of: from, with: to)
        #expect(throws: ScenarioError(file: "pole.json", field: field, reason: reason)) { try Self.parse(broken) }
    }

    @Test("Export to our collector needs the key that signs its batches")
    func tcpExportNeedsKey() throws {
        var text = Self.document.replacingOccurrences(of: "tcp://127.0.0.1:8094", with: "tcp://127.0.0.1:8095")
        #expect(try Self.parse(text).export.string == "tcp://127.0.0.1:8095")
        text = text.replacingOccurrences(of: "\"key\": \"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\",", with: "")
        #expect(throws: ScenarioError(file: "pole.json", field: "key", reason: "is required to export to tcp://, which signs every batch")) {
            try Self.parse(text)
        }
    }

    @Test("A third depth sensor is refused at the lane that adds it")
    func refusesTooManyDepthLanes() throws {
        let lane = #"{"name": "N", "address": A, "sensor": {"kind": "depth", "mount_height_mm": 4000, "floor_span_mm": 4000}}"#
        let lanes = (0..<3).map { lane.replacingOccurrences(of: "N", with: "w\($0)").replacingOccurrences(of: "A", with: "\(40 + $0)") }
        let text = #"{"device": "d", "site": "s", "lanes": [\#(lanes.joined(separator: ","))]}"#
        #expect(throws: ScenarioError(file: "pole.json", field: "lanes[2]", reason: "may hold at most 2 depth sensors")) {
            try Self.parse(text)
        }
    }

    @Test("A third loop pair is refused at the lane that adds it")
    func refusesTooManyLoopLanes() throws {
        let lane = #"{"name": "N", "address": A, "sensor": {"kind": "loops"}}"#
        let lanes = (0..<3).map { lane.replacingOccurrences(of: "N", with: "c\($0)").replacingOccurrences(of: "A", with: "\(40 + $0)") }
        let text = #"{"device": "d", "site": "s", "lanes": [\#(lanes.joined(separator: ","))]}"#
        #expect(throws: ScenarioError(file: "pole.json", field: "lanes[2]", reason: "may hold at most 2 loop pairs")) {
            try Self.parse(text)
        }
    }

    @Test("A scenario implies a device: one lane per scenario lane, its sensor kind and geometry")
    func derivesFromScenario() throws {
        let path = "Hardware/scenarios/sites/verkhny-lars.json"
        let scenario = try Scenario.load(path: path)
        let config = try DeviceConfigFile.derived(from: scenario, file: path)
        #expect(config.device.string == "verkhny-lars-emu" && config.laneCount == 4)
        let kinds = (0..<4).map { lane -> String in
            if case .depth = config.lane(lane).sensor { return "depth" }
            return "loops"
        }
        #expect(kinds == ["depth", "loops", "loops", "depth"])
        guard case .depth(let walkway, _) = config.lane(3).sensor else { return }
        #expect(walkway == scenario.lanes[3].laneConfig)
    }

    @Test("The config record reads back as written; a blank or damaged sector is an error naming the offset")
    func recordRoundTrip() throws {
        var config = try Self.parse(Self.document)
        var flash = EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 2)
        #expect(throws: RecordError.blank) { try ConfigRecord.read(from: flash, sector: 1) }
        try ConfigRecord.write(&config, to: &flash, sector: 1)
        #expect(try ConfigRecord.read(from: flash, sector: 1) == config)
        // Clearing bits is all a program can do to written flash: rot in the lane name.
        var rotten = flash
        try [UInt8(0x00)].withUnsafeBufferPointer { buffer throws(FlashError) in
            try rotten.program(offset: 4096 + 40, bytes: Span(_unsafeElements: buffer))
        }
        #expect(throws: RecordError.self) { try ConfigRecord.read(from: rotten, sector: 1) }
        do {
            _ = try ConfigRecord.read(from: rotten, sector: 1)
        } catch {
            guard case .corrupt(let offset) = error else { throw error }
            #expect(offset >= 4096 && offset < 4096 + 640)
        }
        var invalid = config
        invalid.binIntervalS = 0
        var untouched = EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 2)
        #expect(throws: RecordError.invalid(ConfigError(field: "bin_interval_s", reason: "must be 1...86400"))) {
            try ConfigRecord.write(&invalid, to: &untouched, sector: 0)
        }
        #expect(untouched.operations == 0)
    }

    @Test("Flash kept in a file carries over to the next run; a file of another size is refused")
    func flashFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flash-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var first = try EmulatedFlash(path: path, sectorSizeBytes: 4096, sectorCount: 2)
        var config = try Self.parse(Self.document)
        try ConfigRecord.write(&config, to: &first, sector: 0)
        let second = try EmulatedFlash(path: path, sectorSizeBytes: 4096, sectorCount: 2)
        #expect(second.bytes == first.bytes)
        #expect(try ConfigRecord.read(from: second, sector: 0).device.string == "vl-pole-3")
        #expect(throws: FlashFileError(path: path, reason: "holds 8192 bytes, the part has 12288")) {
            try EmulatedFlash(path: path, sectorSizeBytes: 4096, sectorCount: 3)
        }
    }
}
