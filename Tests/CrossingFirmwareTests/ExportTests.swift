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
           "sensor": {"mount_height_m": 4.0, "fov_deg": 60, "grid": 4, "frame_rate_hz": 5},
           "traffic": [{"class": "pedestrian", "direction": "outbound", "per_hour": 120},
                       {"class": "bicycle", "direction": "inbound", "per_hour": 20}]}]}
        """
    static let epochS: Int64 = 1_663_718_400  // 2022-09-21 00:00 UTC

    @Test("A link down for 6 simulated hours mid-run: the peer ends with the device's exact totals, none twice")
    func linkDownSixHours() throws {
        let scenario = try Scenario.parse(data: Data(Self.scenario.utf8))
        var config = try DeviceConfigFile.derived(from: scenario, file: "test")
        config.export = ShortText(text: "http://peer/write?db=cp")!
        var board = try EmulatedBoard(config: config, link: .peer(EmulatedHTTPPeer(nowS: Self.epochS)))
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 2, durationS: 8 * 3600)
        var mergedWhileDown: UInt64 = 0
        while let nextUs = feed.nextUs {
            let down = nextUs > 3600 * 1_000_000 && nextUs < 7 * 3600 * 1_000_000
            board.withPeer {
                $0.nowS = Self.epochS + Int64(nextUs / 1_000_000)
                $0.down = down
            }
            _ = try feed.deliverNext(to: &board)
            if down { mergedWhileDown = board.device.outbox.binsMergedAway }
        }
        #expect(mergedWhileDown > 0, "six hours of minute bins overflow the outbox, which merges")
        try board.device.closeBins()
        var timeUs = board.device.clock.us
        for _ in 0..<600 where board.device.outbox.count > 0 {
            timeUs += 1_000_000
            board.withPeer { $0.nowS = Self.epochS + Int64(timeUs / 1_000_000) }
            try board.idle(atUs: timeUs)
        }
        #expect(board.device.outbox.count == 0)
        let peer = try #require(board.device.link.peer)
        var total: UInt64 = 0
        for crossingClass in ScoreReport.classes {
            for direction in ScoreReport.directions {
                let expected = board.total(lane: 0, crossingClass, direction)
                total += expected
                let stored = peer.sum(
                    "crossings", "count", where: ["lane": "walkway", "class": "\(crossingClass.name)", "direction": "\(direction.name)"])
                #expect(stored == Int64(expected), "\(crossingClass.name) \(direction.name)")
            }
        }
        #expect(total > 500)
        let health = try #require(board.device.exporter?.health)
        #expect(health.connectFailures > 5 && health.recordsRefused == 0)
        #expect(board.device.wallTime.offsetNs != nil)
        // Every bin observed is covered: the coverage lines account for every frame counted.
        #expect(peer.sum("coverage", "frames", where: [:]) == Int64(board.device.driverHealth(lane: 0).frames))
    }
}
