import CrossingCollector
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `/metrics` as Prometheus' own tools read it: `promtool check metrics` on the whole
/// exposition, and a real Prometheus server scraping a running collector and answering a
/// query for a device's gauges.
@Suite(.serialized)
struct PrometheusTests {
    static let promtool = SystemProgram("promtool", package: "prometheus")
    static let prometheus = SystemProgram("prometheus", package: "prometheus")

    static let health = """
        device_health,site=verkhny-lars,device=vl-pole-3 uptime_s=86400i,frames=36892706i,bus_errors=2i,frames_rejected=1i,\
        journal_commits=1455i,silent_lanes=0i,blind_lanes=1i,degraded_lanes=2i,outbox_records=4i,bins_merged=0i,records_refused=0i,\
        export_failures=3i,time_known=t 1663837200000000000
        crossings,site=verkhny-lars,device=vl-pole-3,lane=walkway,class=pedestrian,direction=outbound count=41i,seq=1207i 1663750800000000000

        """

    /// A collector in this process that has heard from one device.
    static func collector(_ name: String) throws -> (InProcessCollector, String) {
        let directory = temporaryDirectory(name)
        let collector = try InProcessCollector(directory: directory, keys: nil)
        let answer = try HTTPClient.request("POST", collector.httpURL + "/write?db=counts", body: Array(health.utf8))
        #expect(answer.status == 204, "\(answer.text)")
        return (collector, directory)
    }

    @Test("The device gauges carry the health line's outbox, faults and lanes, and the age of the last line heard")
    func deviceGauges() throws {
        let (collector, directory) = try Self.collector("collector-gauges")
        defer {
            collector.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let text = try HTTPClient.request("GET", collector.httpURL + "/metrics").text
        for sample in [
            "checkpoint_collector_device_outbox_records{device=\"vl-pole-3\"} 4",
            "checkpoint_collector_device_faults{device=\"vl-pole-3\",kind=\"bus_errors\"} 2",
            "checkpoint_collector_device_faults{device=\"vl-pole-3\",kind=\"export_failures\"} 3",
            "checkpoint_collector_device_blind_lanes{device=\"vl-pole-3\"} 1",
            "checkpoint_collector_device_degraded_lanes{device=\"vl-pole-3\"} 2",
            "checkpoint_collector_device_incarnations{device=\"vl-pole-3\"} 1",
        ] {
            #expect(text.contains(sample + "\n"), "missing: \(sample)")
        }
        let age = text.split(separator: "\n").first { $0.hasPrefix("checkpoint_collector_device_last_heard_seconds{device=\"vl-pole-3\"} ") }
        #expect(age.flatMap { Int($0.split(separator: " ")[1]) }.map { (0...5).contains($0) } == true, "\(age ?? "no last-heard gauge")")
    }

    @Test("promtool check metrics passes on the whole exposition", .enabled(if: promtool.runs, "\(promtool.skipReason)"))
    func promtoolChecks() throws {
        let (collector, directory) = try Self.collector("collector-promtool")
        defer {
            collector.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let exposition = try HTTPClient.request("GET", collector.httpURL + "/metrics").body
        let (status, output) = try Self.promtool.run(["check", "metrics"], input: exposition, mergingErrors: true)
        #expect(status == 0 && output.isEmpty, "promtool: \(String(decoding: output, as: UTF8.self))")
    }

    @Test("A real Prometheus scrapes the collector, and its query API reads back the device's last-heard gauge",
          .enabled(if: prometheus.runs, "\(prometheus.skipReason)"))
    func prometheusScrapes() throws {
        let (collector, directory) = try Self.collector("collector-prometheus")
        defer {
            collector.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let port = freePort()
        let target = collector.httpURL.dropFirst("http://".count)
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: checkpoint-collector
                static_configs: [{targets: ['\(target)']}]
            """.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try Self.prometheus.require())
        server.arguments = [
            "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/tsdb",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let query = "http://127.0.0.1:\(port)/api/v1/query?query=checkpoint_collector_device_last_heard_seconds"
        var found: [String: Any]?
        let deadline = Date().addingTimeInterval(30)
        while found == nil && Date() < deadline {
            usleep(500_000)
            guard let answer = try? HTTPClient.request("GET", query, timeoutMs: 2000), answer.status == 200,
                let root = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
                let data = root["data"] as? [String: Any], let results = data["result"] as? [[String: Any]]
            else { continue }
            found = results.first
        }
        let labels = found?["metric"] as? [String: Any]
        #expect(labels?["device"] as? String == "vl-pole-3", "Prometheus answered \(String(describing: found))")
        #expect(labels?["job"] as? String == "checkpoint-collector")
        let value = (found?["value"] as? [Any])?.last as? String
        #expect(value.flatMap(Double.init).map { $0 >= 0 && $0 < 60 } == true, "last heard \(value ?? "nil") s ago")
    }
}
