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
                let stored = ledger.totals.filter {
                    $0.key.lane == config.lane(lane).name.string && $0.key.crossingClass == "\(crossingClass)" && $0.key.direction == "outbound"
                }.values.reduce(0, +)
                #expect(stored == Int64(counted), "\(config.lane(lane).name.string) \(crossingClass)")
            }
        }
        #expect(deviceTotal >= 5, "too few crossings to show anything")
        let minutes = ledger.totals.keys.map(\.minuteS)
        #expect(minutes.allSatisfy { $0 >= startS && $0 < startS + Int64(durationS) + 600 }, "bins outside the simulated 20 minutes")
    }
}
