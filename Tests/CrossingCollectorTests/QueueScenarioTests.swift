import CrossingCollector
import CrossingCore
import CrossingSimulation
import Foundation
import Testing

/// The queue estimate against the simulator's true queue, at Verkhny Lars: a counter on the
/// road upstream of the queue and one at the gate (Hardware/scenarios/sites/
/// verkhny-lars-queue.json), their counts stored in a collector, the queue read back from the
/// report, hour by hour.
@Suite("Queue estimate against the simulated queue")
struct QueueScenarioTests {
    static let sites = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Hardware/scenarios/sites").standardized.path
    /// 2022-09-22 00:00 UTC, the day the scenario stands for.
    static let dayS: Int64 = 1_663_804_800

    @Test("From 06:00, as arrivals outrun the gate, the estimate follows the true queue within two vehicles")
    func followsTheTrueQueue() throws {
        var scenario = try Scenario.load(path: Self.sites + "/verkhny-lars-queue.json")
        scenario.startHour = 6
        let durationS = 3600.0
        let results = try ScenarioRun.run(scenario: scenario, seed: 1, durationS: durationS, baseline: false)
        let approach = try #require(results.first { $0.spec.name == "approach" })
        let gate = try #require(results.first { $0.spec.name == "gate" })
        let startS = Self.dayS + 6 * 3600

        // What the device would send: its counts per minute, per lane, class and direction.
        var bins: [String: Int64] = [:]
        for (lane, events) in [("approach", approach.counted), ("gate", gate.counted)] {
            for event in events {
                let minuteS = startS + Int64(event.timeS / 60) * 60
                bins["crossings,site=verkhny-lars,device=vl-queue,lane=\(lane),class=\(event.crossingClass),direction=\(event.direction) count=%di \(minuteS * 1_000_000_000)\n", default: 0] += 1
            }
        }
        let body = bins.keys.sorted().map { $0.replacingOccurrences(of: "%d", with: String(bins[$0]!)) }.joined()
        let directory = temporaryDirectory("collector-queue")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory, warn: { _ in })
        #expect(try store.ingest(Array(body.utf8), precision: .ns, receivedNs: 0).errors.isEmpty)
        let report = Report(
            ledger: store.ledger, query: ReportQuery(site: "verkhny-lars", by: .hour),
            sites: try SiteConfig.load(path: Self.sites + "/verkhny-lars-queue.sites.json"))

        print("time   true queue  estimated  wait (h)")
        for step in 1...3 {
            let atS = Double(step) * 1200
            // Truly queued: arrived at the back of the queue (passed the approach counter) and
            // not yet past the gate counter.
            let truth = approach.truth.filter { $0.timeS < atS }.count - gate.truth.filter { $0.timeS < atS }.count
            let point = try #require(report.queues["verkhny-lars"]?.at(startS + Int64(atS)))
            let clock = String(format: "%02d:%02d", 6 + step / 3, step % 3 * 20)
            print(String(format: "%@  %10d  %9.0f  %8.2f", clock, truth, point.vehicles, point.waitH ?? .nan))
            #expect(abs(point.vehicles - Double(truth)) <= 2, "at \(clock) the estimate is \(point.vehicles), the queue \(truth)")
        }
        let finalTruth = approach.truth.filter { $0.timeS < durationS }.count - gate.truth.filter { $0.timeS < durationS }.count
        #expect(finalTruth >= 8, "the scenario builds a queue by day (\(finalTruth) vehicles after an hour)")
    }
}
