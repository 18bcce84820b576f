import CrossingCollector
import CrossingCore
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

/// The firmware's exporter against the real collector: the device protocol as both sides
/// implement it, over a real TCP connection.
@Suite("Firmware to collector")
struct FirmwareToCollectorTests {
    @Test("The emulated board's counts reach the collector exactly, stamped in simulated time", arguments: ["tcp", "http"])
    func exactTotals(over transport: String) throws {
        let directory = temporaryDirectory("firmware-collector")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Over HTTP the device authenticates as any InfluxDB client does not: the collector is open.
        let collector = try InProcessCollector(
            directory: directory, keys: transport == "tcp" ? DeviceKeys(keys: ["vl-queue": deviceKey("vl-queue")]) : nil)
        defer { collector.stop() }

        let scenario = try Scenario.load(path: QueueScenarioTests.sites + "/verkhny-lars-queue.json")
        var config = try DeviceConfigFile.derived(from: scenario, file: "verkhny-lars-queue.json")
        config.device = ShortText(text: "vl-queue")!
        config.export = ShortText(text: transport == "tcp" ? "tcp://127.0.0.1:\(collector.tcpPort)" : "\(collector.httpURL)/write?db=cp")!
        for index in 0..<32 { config.key[index] = deviceKey("vl-queue")[index] }
        config.keyPresent = true
        let durationS = 1200.0
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 3, durationS: durationS)
        var link = TCPLink(host: "127.0.0.1", port: UInt16(transport == "tcp" ? collector.tcpPort : collector.server.httpPort!))
        let startS: Int64 = 1_663_804_800
        link.simulatedEpochNs = startS * 1_000_000_000
        var board = try EmulatedBoard(config: config, flash: EmulatedBoard.blankFlash(), faultRate: 0, seed: 3, link: .tcp(link))
        try feed.drive(&board, speed: nil, shouldStop: { false }) { _, _, _ in }
        try board.device.persist()
        #expect(try board.drainExport(timeoutS: 30, shouldStop: { false }))

        collector.stop()
        let ledger = try CollectorStore.readLedger(directory: directory + "/data", warn: { _ in })
        var deviceTotal: UInt64 = 0
        for lane in 0..<config.laneCount {
            for crossingClass in [CrossingClass.car, .bus] {
                let counted = board.total(lane: lane, crossingClass, .outbound)
                deviceTotal += counted
                let stored = ledger.totals.sum {
                    $0.lane == config.lane(lane).name.string && $0.crossingClass == "\(crossingClass)" && $0.direction == "outbound"
                }
                #expect(stored == Int64(counted), "\(config.lane(lane).name.string) \(crossingClass)")
            }
        }
        #expect(deviceTotal >= 5, "too few crossings to show anything")
        let minutes = ledger.totals.keys.map(\.minuteS)
        #expect(minutes.allSatisfy { $0 >= startS && $0 < startS + Int64(durationS) + 600 }, "bins outside the simulated 20 minutes")
    }

    /// A walkway whose sensor gets no distance from most of its zones (sunlight, a floor out of
    /// range): seven readings in ten invalid.
    static let blindWalkway = """
        {"name": "blind", "site": "test", "duration_s": 300, "lanes": [{
          "name": "walkway", "kind": "walkway", "width_m": 2.4, "length_m": 12,
          "sensor": {"mount_height_m": 3.0, "grid": 8, "frame_rate_hz": 10, "invalid_rate": 0.7},
          "traffic": [{"class": "pedestrian", "direction": "outbound", "per_hour": 120}]}]}
        """

    @Test("A sensor that sees under half its zones for a minute is blind on the device, in its health line and at the collector's /metrics")
    func blindSensorReachesTheCollector() throws {
        let directory = temporaryDirectory("firmware-collector-blind")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let collector = try InProcessCollector(directory: directory, keys: DeviceKeys(keys: ["blind-pole": deviceKey("blind-pole")]))
        defer { collector.stop() }
        let scenario = try Scenario.parse(data: Data(Self.blindWalkway.utf8))
        var config = try DeviceConfigFile.derived(from: scenario, file: "blind.json")
        config.device = ShortText(text: "blind-pole")!
        config.export = ShortText(text: "tcp://127.0.0.1:\(collector.tcpPort)")!
        for index in 0..<32 { config.key[index] = deviceKey("blind-pole")[index] }
        config.keyPresent = true
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 5, durationS: 300)
        var link = TCPLink(host: "127.0.0.1", port: UInt16(collector.tcpPort))
        link.simulatedEpochNs = 1_663_804_800 * 1_000_000_000
        var board = try EmulatedBoard(config: config, flash: EmulatedBoard.blankFlash(), faultRate: 0, seed: 5, link: .tcp(link))
        try feed.drive(&board, speed: nil, shouldStop: { false }) { _, _, _ in }
        #expect(board.device.health.blindLanes == 1, "the device's own health")
        #expect(board.device.health.silentLanes == 0, "frames kept coming: blind, not silent")
        try board.device.persist()
        #expect(try board.drainExport(timeoutS: 30, shouldStop: { false }))
        let metrics = try HTTPClient.request("GET", collector.httpURL + "/metrics").text
        #expect(metrics.contains("checkpoint_collector_device_blind_lanes{device=\"blind-pole\"} 1"), "\(metrics)")
        #expect(metrics.contains("checkpoint_collector_device_degraded_lanes{device=\"blind-pole\"} 0"))
    }
}
