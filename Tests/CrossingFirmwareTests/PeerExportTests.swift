import CrossingCore
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing
import TestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The export against real InfluxDB 1.x and VictoriaMetrics on 127.0.0.1, started by
/// `eval "$(Tools/peers start)"` (which `.ci/run` does). Without them these tests are skipped,
/// saying what to install and run; with `CI=true` they fail instead.
@Suite("Export to real peers")
struct PeerExportTests {
    /// Runs five simulated minutes of Verkhny Lars through the board, exporting to `base`, and
    /// waits until the target has acknowledged everything. Returns the board and its device id.
    static func export(to base: String, peer: String) throws -> EmulatedBoard {
        let path = "Hardware/scenarios/sites/verkhny-lars.json"
        let scenario = try Scenario.load(path: path)
        var config = try DeviceConfigFile.derived(from: scenario, file: path)
        // A device id of its own, so earlier runs against the same store do not add up.
        config.device = try #require(ShortText(text: "\(peer)-\(getpid())-\(Int(Date().timeIntervalSince1970))"))
        config.export = try #require(ShortText(text: "\(base)/write?db=cp"))
        let url = try #require(URLComponents(string: base))
        let link = TCPLink(host: try #require(url.host), port: UInt16(try #require(url.port)))
        var board = try EmulatedBoard(config: config, link: .tcp(link))
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 3, durationS: 300)
        try feed.drive(&board, speed: nil, shouldStop: { false }, progress: { _, _, _ in })
        #expect(try board.drainExport(timeoutS: 30, shouldStop: { false }))
        let health = try #require(board.device.exportHealth)
        #expect(health.recordsRefused == 0 && health.lastStatus == 204)
        return board
    }

    /// The device's totals per lane, class and direction, the non-zero ones.
    static func totals(_ board: EmulatedBoard) -> [String: Int64] {
        var totals: [String: Int64] = [:]
        for lane in 0..<board.device.config.laneCount {
            for crossingClass in ScoreReport.classes {
                for direction in [Direction.outbound, .inbound, .unknown] {
                    let count = board.total(lane: lane, crossingClass, direction)
                    if count > 0 {
                        totals["\(board.device.config.lane(lane).name.string)/\(crossingClass.name)/\(direction.name)"] = Int64(count)
                    }
                }
            }
        }
        return totals
    }

    static func get(_ url: URL) throws -> Data {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Data?
        URLSession.shared.dataTask(with: url) { data, _, _ in
            result = data
            done.signal()
        }.resume()
        done.wait()
        return try #require(result)
    }

    @Test(
        "Exported to InfluxDB 1.x, sum(count) per lane, class and direction is exactly the device's totals",
        .enabled(if: PeerService.influxDB.runs, Comment(rawValue: PeerService.influxDB.skipReason)))
    func influxDB() throws {
        let base = try PeerService.influxDB.require()
        let board = try Self.export(to: base, peer: "influx")
        var query = URLComponents(string: "\(base)/query")!
        query.queryItems = [
            URLQueryItem(name: "db", value: "cp"),
            URLQueryItem(
                name: "q",
                value: #"SELECT sum("count") FROM "crossings" WHERE "device"='\#(board.device.config.device.string)' GROUP BY "lane","class","direction""#),
        ]
        let json = try JSONSerialization.jsonObject(with: Self.get(query.url!)) as? [String: Any]
        let series = ((json?["results"] as? [[String: Any]])?.first?["series"] as? [[String: Any]]) ?? []
        var stored: [String: Int64] = [:]
        for item in series {
            let tags = item["tags"] as? [String: String] ?? [:]
            let value = ((item["values"] as? [[Any]])?.first?[1] as? NSNumber)?.int64Value ?? 0
            stored["\(tags["lane"] ?? "")/\(tags["class"] ?? "")/\(tags["direction"] ?? "")"] = value
        }
        #expect(stored == Self.totals(board))
        #expect(Self.totals(board).values.reduce(0, +) > 5)
    }

    @Test(
        "Exported to VictoriaMetrics, the samples of crossings_count add up exactly to the device's totals",
        .enabled(if: PeerService.victoriaMetrics.runs, Comment(rawValue: PeerService.victoriaMetrics.skipReason)))
    func victoriaMetrics() throws {
        let base = try PeerService.victoriaMetrics.require()
        let board = try Self.export(to: base, peer: "vm")
        var query = URLComponents(string: "\(base)/api/v1/export")!
        query.queryItems = [
            URLQueryItem(name: "match[]", value: #"{__name__="crossings_count",device="\#(board.device.config.device.string)"}"#)
        ]
        // VictoriaMetrics answers 204 before a sample is searchable: ask until it all shows.
        var stored: [String: Int64] = [:]
        for _ in 0..<60 {
            stored = [:]
            let lines = String(decoding: try Self.get(query.url!), as: UTF8.self).split(separator: "\n")
            for line in lines {
                let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let metric = json?["metric"] as? [String: String] ?? [:]
                let values = (json?["values"] as? [NSNumber] ?? []).map(\.int64Value)
                stored["\(metric["lane"] ?? "")/\(metric["class"] ?? "")/\(metric["direction"] ?? "")", default: 0] += values.reduce(0, +)
            }
            if stored == Self.totals(board) { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(stored == Self.totals(board))
    }
}
