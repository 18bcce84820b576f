import CheckpointCLI
import CrossingCollector
import Foundation

/// `checkpoint-bench collector --history-days D --devices K`: the collector's memory as its
/// history grows. Feeds a store K devices' minute records for D days, as fast as it takes
/// them, and prints the resident memory as the days go by, then a report over the first day.
enum HistoryBench {
    /// One day of one device: a record a minute, each a `crossings` line per direction and its
    /// `coverage` line, as a walkway's device exports them.
    static func day(device: String, day: Int, firstSeq: Int64) -> [UInt8] {
        var text = ""
        text.reserveCapacity(1440 * 420)
        let dayStartS: Int64 = 1_663_718_400 + Int64(day) * 86_400
        for minute in 0..<1440 {
            let seq = firstSeq + Int64(minute)
            let timeNs = (dayStartS + Int64(minute) * 60) * 1_000_000_000
            let tags = "site=verkhny-lars,device=\(device),incarnation=1663718400,lane=walkway"
            text += "crossings,\(tags),class=pedestrian,direction=outbound count=\(seq % 9 + 1)i,seq=\(seq)i \(timeNs)\n"
            text += "crossings,\(tags),class=pedestrian,direction=inbound count=\(seq % 5 + 1)i,seq=\(seq)i \(timeNs)\n"
            text += "coverage,\(tags) frames=900i,interval_s=60i,bins=1i,seq=\(seq)i \(timeNs)\n"
        }
        return Array(text.utf8)
    }

    static func run(days: Int, devices: Int, json: Bool) throws(CollectorError) {
        let directory = benchDirectory("history")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory, warn: { _ in })
        let names = (0..<devices).map { "pole-\($0)" }
        var samples: [(day: Int, totals: Int, residentMiB: Int)] = []
        var lines = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var progress = ProgressLine(total: Double(days), unit: "days")
        for day in 0..<days {
            if interruptRequested.load(ordering: .relaxed) { break }
            for name in names {
                let body = Self.day(device: name, day: day, firstSeq: Int64(day) * 1440 + 1)
                let result = try store.ingest(body, precision: .ns, receivedNs: (1_663_718_400 + Int64(day + 1) * 86_400) * 1_000_000_000)
                guard result.errors.isEmpty else { throw CollectorError("ingest refused lines: \(result.errors[0])") }
                lines += result.accepted
            }
            try store.sync()
            try store.compactIfNeeded()
            if day == days - 1 || (day + 1) % max(1, days / 8) == 0 {
                samples.append((day + 1, store.ledger.totals.count, residentKiB() / 1024))
            }
            progress.update(done: Double(day + 1), detail: "day \(day + 1) of \(days), \(store.ledger.totals.count) totals")
        }
        progress.finish()
        let ingestS = CollectorBench.seconds(since: start)
        let reportStart = DispatchTime.now().uptimeNanoseconds
        let report = Report(
            ledger: store.ledger, query: ReportQuery(fromS: 1_663_718_400, toS: 1_663_804_800, by: .hour), sites: SiteConfig())
        let reportMs = CollectorBench.seconds(since: reportStart) * 1000
        let peakMiB = peakResidentKiB() / 1024
        if json {
            print(JSONValue.object([
                ("days", .integer(Int64(days))), ("devices", .integer(Int64(devices))), ("lines", .integer(Int64(lines))),
                ("ingest_lines_per_s", .number((Double(lines) / ingestS).rounded())),
                ("totals", .integer(Int64(store.ledger.totals.count))),
                ("report_first_day_ms", .number(reportMs.rounded())), ("report_rows", .integer(Int64(report.rows.count))),
                ("peak_rss_mib", .integer(Int64(peakMiB))),
                ("samples", .array(samples.map { .object([
                    ("day", .integer(Int64($0.day))), ("totals", .integer(Int64($0.totals))),
                    ("rss_mib", .integer(Int64($0.residentMiB))),
                ]) })),
            ]).rendered())
            return
        }
        print(renderTable(headers: ["days", "totals held", "RSS MiB"], rows: samples.map { ["\($0.day)", "\($0.totals)", "\($0.residentMiB)"] }))
        print(String(format: "%d lines in %.1f s (%.0f lines/s); report over the first day by hour: %d rows in %.0f ms",
            lines, ingestS, Double(lines) / ingestS, report.rows.count, reportMs))
        print("peak RSS \(peakMiB) MiB after \(days) days of \(devices) devices")
    }

    /// This process's resident set now (VmRSS), KiB.
    static func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
}
