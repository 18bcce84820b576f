import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

@Suite("Export")
struct ExportTests {
    static let scenario = """
        {"name": "export", "site": "test", "duration_s": 28800, "lanes": [
          {"name": "walkway", "kind": "walkway", "width_m": 3.0, "length_m": 14,
           "sensor": {"mount_height_m": 2.8, "grid": 4, "frame_rate_hz": 5},
           "traffic": [{"class": "pedestrian", "direction": "outbound", "per_hour": 120},
                       {"class": "bicycle", "direction": "inbound", "per_hour": 20}]}]}
        """
    static let epochS: Int64 = 1_663_718_400  // 2022-09-21 00:00 UTC
    static let key = [UInt8](0..<32)

    enum Target: CaseIterable {
        case influxDB
        case collector
    }

    /// The board exporting to an in-memory target, the target's clock kept with the scene's.
    static func board(_ target: Target, key: [UInt8] = key) throws -> (EmulatedBoard, DeviceConfig, Scenario) {
        let scenario = try Scenario.parse(data: Data(Self.scenario.utf8))
        var config = try DeviceConfigFile.derived(from: scenario, file: "test")
        switch target {
        case .influxDB:
            config.export = ShortText(text: "http://peer/write?db=cp")!
            return (try EmulatedBoard(config: config, link: .peer(EmulatedHTTPPeer(nowS: epochS))), config, scenario)
        case .collector:
            config.export = ShortText(text: "tcp://collector:8094")!
            for index in 0..<32 { config.key[index] = Self.key[index] }
            config.keyPresent = true
            return (try EmulatedBoard(config: config, link: .collector(EmulatedCollector(key: key, nowNs: epochS * 1_000_000_000))), config, scenario)
        }
    }

    /// Sets the target's clock to `nowUs` into the scene and whether it is down.
    static func set(_ board: inout EmulatedBoard, _ target: Target, nowUs: UInt64, down: Bool) {
        switch target {
        case .influxDB:
            board.withPeer {
                $0.nowS = epochS + Int64(nowUs / 1_000_000)
                $0.down = down
            }
        case .collector:
            board.withCollector {
                $0.nowNs = (epochS + Int64(nowUs / 1_000_000)) * 1_000_000_000
                $0.down = down
            }
        }
    }

    static func store(_ board: EmulatedBoard, _ target: Target) throws -> PointStore {
        switch target {
        case .influxDB: try #require(board.device.link.peer).store
        case .collector: try #require(board.device.link.collector).store
        }
    }

    @Test("A link down for 6 simulated hours mid-run: the target ends with the device's exact totals, none twice", arguments: Target.allCases)
    func linkDownSixHours(target: Target) throws {
        var (board, config, scenario) = try Self.board(target)
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 2, durationS: 8 * 3600)
        var mergedWhileDown: UInt64 = 0
        while let nextUs = feed.nextUs {
            let down = nextUs > 3600 * 1_000_000 && nextUs < 7 * 3600 * 1_000_000
            Self.set(&board, target, nowUs: nextUs, down: down)
            _ = try feed.deliverNext(to: &board)
            if down { mergedWhileDown = board.device.outbox.binsMergedAway }
        }
        #expect(mergedWhileDown > 0, "six hours of minute bins overflow the outbox, which merges")
        try board.device.closeBins()
        var timeUs = board.device.clock.us
        for _ in 0..<600 where board.device.outbox.count > 0 {
            timeUs += 1_000_000
            Self.set(&board, target, nowUs: timeUs, down: false)
            try board.idle(atUs: timeUs)
        }
        #expect(board.device.outbox.count == 0)
        let store = try Self.store(board, target)
        var total: UInt64 = 0
        for crossingClass in ScoreReport.classes {
            for direction in ScoreReport.directions {
                let expected = board.total(lane: 0, crossingClass, direction)
                total += expected
                let stored = store.sum(
                    "crossings", "count", where: ["lane": "walkway", "class": "\(crossingClass.name)", "direction": "\(direction.name)"])
                #expect(stored == Int64(expected), "\(crossingClass.name) \(direction.name)")
            }
        }
        #expect(total > 500)
        let health = try #require(board.device.exportHealth)
        #expect(health.connectFailures > 5 && health.recordsRefused == 0)
        #expect(board.device.wallTime.offsetNs != nil)
        // Every bin observed is covered: the coverage lines account for every frame counted.
        #expect(store.sum("coverage", "frames", where: [:]) == Int64(board.device.driverHealth(lane: 0).frames))
    }

    @Test("A collector holding another key refuses every batch; the device keeps its records and loses none")
    func wrongKeyLosesNothing() throws {
        var (board, config, scenario) = try Self.board(.collector, key: [UInt8](repeating: 7, count: 32))
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 2, durationS: 1800)
        var pushed: UInt64 = 0
        while let nextUs = feed.nextUs {
            Self.set(&board, .collector, nowUs: nextUs, down: false)
            _ = try feed.deliverNext(to: &board)
        }
        try board.device.closeBins()
        for index in 0..<board.device.outbox.count { pushed += board.device.outbox[index].bin.total }
        let collector = try #require(board.device.link.collector)
        #expect(collector.batchesStored == 0 && collector.batchesRefused > 0)
        #expect(collector.store.points.isEmpty)
        // Nothing acknowledged, nothing dropped: every count still waits in the outbox.
        #expect(pushed == board.device.grandTotal(lane: 0))
        #expect(board.device.exportHealth?.recordsRefused == 0)
    }

    @Test("A 4xx refuses records for good: they are dropped and counted, the status and body kept, not resent forever")
    func refusedRecordsAreDropped() throws {
        var (board, config, scenario) = try Self.board(.influxDB)
        board.withPeer { $0.refuseWrites = true }
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 2, durationS: 1800)
        while let nextUs = feed.nextUs {
            Self.set(&board, .influxDB, nowUs: nextUs, down: false)
            _ = try feed.deliverNext(to: &board)
        }
        let health = try #require(board.device.exportHealth)
        #expect(health.lastStatus == 400)
        #expect(health.lastRefusal.string == #"{"error":"partial write: field type conflict"}"#)
        #expect(health.recordsRefused >= 25 && health.recordsAcknowledged == 0)
        #expect(board.device.outbox.count <= 1, "refused records leave; only the newest may wait")
        let peer = try #require(board.device.link.peer)
        #expect(peer.requests < 2 * 31, "each record is offered once, not resent")
        #expect(peer.store.points.isEmpty)
    }

    @Test("The target's clock stepping back an hour mid-run moves, loses and doubles no count")
    func clockStepBack() throws {
        var (board, config, scenario) = try Self.board(.influxDB)
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 5, durationS: 7200)
        while let nextUs = feed.nextUs {
            // At one simulated hour the peer's clock is found an hour fast and set back.
            let stepS: UInt64 = nextUs > 3600 * 1_000_000 ? 3600 : 0
            Self.set(&board, .influxDB, nowUs: nextUs - stepS * 1_000_000, down: false)
            _ = try feed.deliverNext(to: &board)
        }
        try board.device.closeBins()
        var timeUs = board.device.clock.us
        for _ in 0..<120 where board.device.outbox.count > 0 {
            timeUs += 1_000_000
            Self.set(&board, .influxDB, nowUs: timeUs - 3600 * 1_000_000, down: false)
            try board.idle(atUs: timeUs)
        }
        #expect(board.device.wallTime.steps >= 1)
        let peer = try #require(board.device.link.peer)
        #expect(peer.store.rewrites == 0, "no bin landed on another's timestamp")
        #expect(peer.store.sum("crossings", "count", where: [:]) == Int64(board.device.grandTotal(lane: 0)))
        #expect(board.device.grandTotal(lane: 0) > 100)
    }
}
