import CrossingCore
import CrossingFirmware
import CrossingSimulation
import Foundation

/// The device configuration as JSON (docs/device-config.md), and as derived from a scenario.
public enum DeviceConfigFile {
    /// Reads a device config file. Every error names the file, the field and the reason.
    public static func load(path: String) throws(ScenarioError) -> DeviceConfig {
        try parse(data: JSONReader.contents(of: path), file: path)
    }

    public static func parse(data: Data, file: String = "<input>") throws(ScenarioError) -> DeviceConfig {
        var reader = try JSONReader.parse(data: data, file: file)
        var config = DeviceConfig()
        config.device = try text(&reader, "device")
        config.site = try text(&reader, "site")
        config.binIntervalS = UInt32(try reader.integer("bin_interval_s", default: 60, in: 1...86_400))
        config.persistIntervalS = UInt32(try reader.integer("persist_interval_s", default: 60, in: 1...3600))
        if reader.has("export") {
            let export = try reader.string("export")
            guard export.hasPrefix("tcp://") || export.hasPrefix("http://") else {
                throw reader.fail("export", "must be tcp://HOST:PORT or http://HOST:PORT/..., got '\(export)'")
            }
            config.export = try text(&reader, "export", value: export)
        }
        if reader.has("key") {
            let hex = try reader.string("key")
            guard let key = keyBytes(hex) else { throw reader.fail("key", "must be 64 hexadecimal digits (32 bytes)") }
            for index in 0..<32 { config.key[index] = key[index] }
            config.keyPresent = true
        }
        guard let lanes = try reader.array("lanes") else { throw reader.fail("lanes", "is required") }
        guard !lanes.isEmpty else { throw reader.fail("lanes", "must hold at least one lane") }
        guard lanes.count <= DeviceConfig.lanesMax else {
            throw reader.fail("lanes", "holds \(lanes.count) lanes; a device reads at most \(DeviceConfig.lanesMax)")
        }
        for (index, item) in lanes.enumerated() {
            var lane = try JSONReader(file: file, path: reader.child("lanes[\(index)]"), value: item)
            try append(try readLane(&lane), to: &config, path: lane.path, file: file)
        }
        try reader.finish()
        try check(config, file: file)
        return config
    }

    /// The device a scenario implies: one lane per scenario lane, at bus addresses from 0x20,
    /// with the scenario's geometry; device `<name>-emu` (spaces, commas and equals signs made
    /// `-`), site `<name>`, no export.
    public static func derived(from scenario: Scenario, file: String) throws(ScenarioError) -> DeviceConfig {
        var config = DeviceConfig()
        // A device id has no spaces, commas or equals signs (the batch trailer is split on them).
        let id = String(scenario.name.map { " ,=".contains($0) ? "-" : $0 })
        guard let device = ShortText(text: "\(id)-emu"), let site = ShortText(text: scenario.name) else {
            throw ScenarioError(file: file, field: "name", reason: "is longer than \(ShortText.capacity - 4) bytes")
        }
        config.device = device
        config.site = site
        guard scenario.lanes.count <= DeviceConfig.lanesMax else {
            throw ScenarioError(
                file: file, field: "lanes",
                reason: "holds \(scenario.lanes.count) lanes; one device reads at most \(DeviceConfig.lanesMax)")
        }
        for (index, lane) in scenario.lanes.enumerated() {
            guard let name = ShortText(text: lane.name) else {
                throw ScenarioError(file: file, field: "lanes[\(index)].name", reason: "is longer than \(ShortText.capacity) bytes")
            }
            let sensor: LaneSensor =
                lane.sensor.map { .depth(lane.laneConfig, frameRateMilliHz: UInt32(($0.frameRateHz * 1000).rounded())) }
                ?? .loops(lane.loopConfig)
            try append(DeviceLane(name: name, address: UInt8(0x20 + index), sensor: sensor), to: &config, path: "lanes[\(index)]", file: file)
        }
        try check(config, file: file)
        return config
    }

    private static func readLane(_ reader: inout JSONReader) throws(ScenarioError) -> DeviceLane {
        let name = try text(&reader, "name")
        let address = UInt8(try reader.integer("address", in: 0x08...0x77))
        guard var sensor = try reader.object("sensor") else { throw reader.fail("sensor", "is required") }
        let kind = try sensor.choice("kind", [("depth", true), ("loops", false)])
        let laneSensor: LaneSensor
        if kind {
            var lane = LaneConfig()
            let grid = try sensor.integer("grid", default: 8, in: 4...8)
            guard grid == 4 || grid == 8 else { throw sensor.fail("grid", "must be 4 or 8, got \(grid)") }
            lane.side = UInt8(grid)
            lane.mountHeightMm = UInt16(try sensor.integer("mount_height_mm", in: 1500...12_000))
            lane.floorSpanMm = UInt16(try sensor.integer("floor_span_mm", in: 500...30_000))
            lane.linePermille = UInt16(try sensor.integer("line_permille", default: 500, in: 200...800))
            lane.orientation = try sensor.choice(
                "outbound", default: .outboundTowardLastRow,
                [("toward_last_row", .outboundTowardLastRow), ("toward_first_row", .outboundTowardFirstRow)])
            let rate = try sensor.number("frame_rate_hz", default: 15, in: 1...60)
            let rateMilliHz = UInt32((rate * 1000).rounded())
            guard DepthSensorEnvelope.delivers(side: lane.side, frameRateMilliHz: rateMilliHz) else {
                throw sensor.fail("frame_rate_hz", "\(DepthSensorEnvelope.frameRateReason(side: lane.side)), got \(rate)")
            }
            laneSensor = .depth(lane, frameRateMilliHz: rateMilliHz)
        } else {
            var loops = LoopConfig()
            loops.sampleRateHz = UInt16(try sensor.integer("sample_rate_hz", default: 200, in: 20...2000))
            loops.loopLengthMm = UInt16(try sensor.integer("loop_length_mm", default: 1500, in: 500...6000))
            loops.loopSpacingMm = UInt16(try sensor.integer("loop_spacing_mm", default: 4000, in: 1000...20_000))
            loops.outboundCrossesAFirst = try sensor.choice("outbound", default: true, [("a_first", true), ("b_first", false)])
            laneSensor = .loops(loops)
        }
        try sensor.finish()
        try reader.finish()
        return DeviceLane(name: name, address: address, sensor: laneSensor)
    }

    /// Adds a lane, naming the lane in any error the device's own checks find with it (the
    /// lanes before it passed them).
    private static func append(_ lane: DeviceLane, to config: inout DeviceConfig, path: String, file: String) throws(ScenarioError) {
        guard config.append(lane) else {
            throw ScenarioError(file: file, field: path, reason: "is one lane more than a device reads")
        }
        if let error = config.validate() {
            let field = "\(error.field)"
            throw ScenarioError(
                file: file, field: field.hasPrefix("lanes") ? path + field.dropFirst("lanes".count) : field,
                reason: "\(error.reason)")
        }
    }

    private static func check(_ config: DeviceConfig, file: String) throws(ScenarioError) {
        if let error = config.validate() { throw ScenarioError(file: file, field: "\(error.field)", reason: "\(error.reason)") }
    }

    private static func text(_ reader: inout JSONReader, _ key: String, value: String? = nil) throws(ScenarioError) -> ShortText {
        var string = value ?? ""
        if value == nil { string = try reader.string(key) }
        guard let text = ShortText(text: string) else {
            throw reader.fail(key, "is longer than \(ShortText.capacity) bytes")
        }
        return text
    }

    private static func keyBytes(_ hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<(index + 2)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}

extension ShortText {
    /// The UTF-8 of `text`, or nil when it is longer than `capacity`.
    public init?(text: String) {
        let bytes = Array(text.utf8)
        self.init(bytes.span)
    }

    /// The text as a host string.
    public var string: String {
        String(decoding: (0..<count).map { self[$0] }, as: UTF8.self)
    }
}
