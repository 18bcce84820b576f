import CrossingCollector
import CrossingCore
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

/// A unit replaced in the field keeps the old one's id and starts with blank flash, so it
/// numbers its records from 1 again (docs/device-protocol.md, "Incarnations"). Before
/// incarnations the collector took every record of the new unit for a resend of the old one's,
/// acknowledged it and dropped it.
@Suite("Device replacement")
struct DeviceReplacementTests {
    @Test("A unit replaced mid-run by a blank one under the same id: the collector holds both units' counts exactly", arguments: ["tcp", "http"])
    func replacedUnitCountsBoth(over transport: String) throws {
        let directory = temporaryDirectory("device-replacement")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let device = "vl-queue"
        let collector = try InProcessCollector(
            directory: directory, keys: transport == "tcp" ? DeviceKeys(keys: [device: deviceKey(device)]) : nil)
        defer { collector.stop() }

        let scenario = try Scenario.load(path: QueueScenarioTests.sites + "/verkhny-lars-queue.json")
        var config = try DeviceConfigFile.derived(from: scenario, file: "verkhny-lars-queue.json")
        config.device = ShortText(text: device)!
        config.export = ShortText(text: transport == "tcp" ? "tcp://127.0.0.1:\(collector.tcpPort)" : "\(collector.httpURL)/write?db=cp")!
        for index in 0..<32 { config.key[index] = deviceKey(device)[index] }
        config.keyPresent = true

        // Two units, one after the other, each from blank flash: the second is fitted when the
        // first has sent all it counted, so that every count of both must be stored.
        let unitS = 600.0
        var counted: [String: UInt64] = [:]
        var incarnations: [Incarnation] = []
        for unit in 0..<2 {
            var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 3 + UInt64(unit), durationS: unitS)
            var link = TCPLink(host: "127.0.0.1", port: UInt16(transport == "tcp" ? collector.tcpPort : collector.server.httpPort!))
            link.simulatedEpochNs = (1_663_804_800 + Int64(unit) * Int64(unitS)) * 1_000_000_000
            var board = try EmulatedBoard(
                config: config, flash: EmulatedBoard.blankFlash(), faultRate: 0, seed: 3 + UInt64(unit), link: .tcp(link))
            try feed.drive(&board, speed: nil, shouldStop: { false }) { _, _, _ in }
            try board.device.closeBins()
            try board.device.persist()
            #expect(try board.drainExport(timeoutS: 30, shouldStop: { false }), "unit \(unit + 1) sent everything")
            for lane in 0..<config.laneCount {
                for crossingClass in [CrossingClass.car, .bus] {
                    counted["\(config.lane(lane).name.string) \(crossingClass)", default: 0] += board.total(lane: lane, crossingClass, .outbound)
                }
            }
            incarnations.append(board.device.incarnation)
        }
        collector.stop()

        let ledger = try CollectorStore.readLedger(directory: directory + "/data", warn: { _ in })
        #expect(counted.values.reduce(0, +) >= 10, "too few crossings to show anything")
        for lane in 0..<config.laneCount {
            for crossingClass in [CrossingClass.car, .bus] {
                let name = "\(config.lane(lane).name.string) \(crossingClass)"
                let stored = ledger.totals.sum {
                    $0.device == device && $0.lane == config.lane(lane).name.string
                        && $0.crossingClass == "\(crossingClass)" && $0.direction == "outbound"
                }
                #expect(stored == Int64(counted[name] ?? 0), "\(name): both units counted \(counted[name] ?? 0)")
            }
        }
        // Each unit ran under an incarnation of its own, and the collector saw both.
        guard case .known(let first) = incarnations[0], case .known(let second) = incarnations[1] else {
            Issue.record("a unit that exported has no incarnation: \(incarnations)")
            return
        }
        #expect(first != second && first != 0 && second != 0)
        let seen = ledger.incarnations.keys.filter { $0.device == device }.map(\.incarnation).sorted()
        #expect(seen.contains(Int64(first)) && seen.contains(Int64(second)), "\(seen)")
    }
}
