import CheckpointCLI
import CrossingCollector
import Foundation
import Synchronization

/// `checkpoint-bench report-load`: the slowest ack while reports over a year of totals run
/// beside full ingest.
enum ReportLoadBench {
    static let help = """
        usage: checkpoint-bench report-load [--devices K] [--days D] [--seconds S] [--json]

        Feeds a store a year (D days, default 365) of K devices' minute records (default 10:
        two crossings lines and a coverage line a minute each), in process. Then serves it
        over HTTP and sends with two writers, back to back, bodies of 5,000 lines to /write,
        timing each from send to its 204 (durable before the answer). For S seconds (default
        5) without reports, then S seconds with a client asking /report over the whole year
        by day, one after another. The pages are built on their own thread from a copy of
        the ledger; this shows what that leaves of the acks.

          --json   one JSON object: devices, days, store_lines, report_ms (median),
                   reports, and for each phase ("without_reports", "with_reports"):
                   writes, lines_per_s, ack_p50_ms, ack_p99_ms, slowest_ack_ms
        """

    struct Phase {
        var name: String
        var latenciesMs: [Double] = []
        var lines = 0
        var seconds = 0.0

        func percentile(_ share: Double) -> Double {
            let sorted = latenciesMs.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))]
        }
    }

    static func main(_ argumentList: [String]) {
        let (arguments, options) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["devices", "days", "seconds"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            (devices: try arguments.integer("devices", in: 1...1000) ?? 10, days: try arguments.integer("days", in: 1...3660) ?? 365,
             seconds: try arguments.integer("seconds", in: 1...600) ?? 5)
        }
        installInterruptHandler()
        do throws(CollectorError) {
            try run(devices: options.devices, days: options.days, seconds: options.seconds, json: arguments.flag("json"))
        } catch {
            Terminal.fail(program, "report-load: \(error)")
        }
    }

    static func run(devices: Int, days: Int, seconds: Int, json: Bool) throws(CollectorError) {
        let directory = benchDirectory("report-load")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory, warn: { _ in })
        let storeLines = try fill(store, devices: devices, days: days)
        var serverOptions = ServerOptions()
        serverOptions.tcp = nil
        serverOptions.http = "127.0.0.1:0"
        let server = try CollectorServer(store: store, options: serverOptions, keys: nil, log: { _ in })
        let serverThread = Thread { server.run() }
        serverThread.start()
        defer {
            server.stop()
            while !serverThread.isFinished { usleep(1000) }
        }
        let base = "http://127.0.0.1:\(server.httpPort!)"
        let yearS: Int64 = 1_663_718_400
        let reportURL = base + "/report?from=\(yearS)&to=\(yearS + Int64(days) * 86_400)&by=day"
        var firstSeq: Int64 = 1
        let quiet = try writePhase("without_reports", base: base, seconds: seconds, firstSeq: &firstSeq) {}
        let reportTimesMs = Mutex<[Double]>([])
        let busy = try writePhase("with_reports", base: base, seconds: seconds, firstSeq: &firstSeq) {
            let start = DispatchTime.now().uptimeNanoseconds
            guard let answer = try? HTTPClient.request("GET", reportURL, timeoutMs: 120_000), answer.status == 200 else { return }
            reportTimesMs.withLock { $0.append(CollectorBench.seconds(since: start) * 1000) }
        }
        let reports = reportTimesMs.withLock { $0 }.sorted()
        let reportMs = reports.isEmpty ? 0 : reports[reports.count / 2]
        if json {
            func phase(_ phase: Phase) -> JSONValue {
                .object([
                    ("writes", .integer(Int64(phase.latenciesMs.count))), ("lines_per_s", .number((Double(phase.lines) / phase.seconds).rounded())),
                    ("ack_p50_ms", .number(phase.percentile(0.5))), ("ack_p99_ms", .number(phase.percentile(0.99))),
                    ("slowest_ack_ms", .number(phase.latenciesMs.max() ?? 0)),
                ])
            }
            print(JSONValue.object([
                ("devices", .integer(Int64(devices))), ("days", .integer(Int64(days))), ("store_lines", .integer(Int64(storeLines))),
                ("report_ms", .number(reportMs)), ("reports", .integer(Int64(reports.count))),
                ("without_reports", phase(quiet)), ("with_reports", phase(busy)),
            ]).rendered())
            return
        }
        print(renderTable(
            headers: ["phase", "writes", "lines/s", "ack p50 ms", "ack p99 ms", "slowest ack ms"],
            rows: [quiet, busy].map { phase in
                [phase.name, "\(phase.latenciesMs.count)", String(format: "%.0f", Double(phase.lines) / phase.seconds),
                 String(format: "%.1f", phase.percentile(0.5)), String(format: "%.1f", phase.percentile(0.99)),
                 String(format: "%.1f", phase.latenciesMs.max() ?? 0)]
            }))
        print(String(format: "store: %d devices, %d days, %d lines; %d year-long reports by day, median %.0f ms",
            devices, days, storeLines, reports.count, reportMs))
    }

    /// A year of minute records, fed in process and compacted as the server would.
    static func fill(_ store: CollectorStore, devices: Int, days: Int) throws(CollectorError) -> Int {
        var lines = 0
        var progress = ProgressLine(total: Double(days), unit: "days")
        for day in 0..<days {
            if interruptRequested.load(ordering: .relaxed) { throw CollectorError("interrupted") }
            for device in 0..<devices {
                let body = HistoryBench.day(device: "pole-\(device)", day: day, firstSeq: Int64(day) * 1440 + 1)
                let result = try store.ingest(body, precision: .ns, receivedNs: (1_663_718_400 + Int64(day + 1) * 86_400) * 1_000_000_000)
                guard result.errors.isEmpty else { throw CollectorError("ingest refused lines: \(result.errors[0])") }
                lines += result.accepted
            }
            try store.sync()
            try store.compactIfNeeded()
            progress.update(done: Double(day + 1), detail: "filling: day \(day + 1) of \(days)")
        }
        progress.finish()
        return lines
    }

    /// Two writers sending bodies back to back for `seconds`, each write timed, while
    /// `beside` runs over and over on a third thread.
    static func writePhase(
        _ name: String, base: String, seconds: Int, firstSeq: inout Int64, beside: @escaping @Sendable () -> Void
    ) throws(CollectorError) -> Phase {
        let batch = 5000
        let writers = 2
        let bodiesPerWriter = 400
        // Made before the clock: more than the phase can send.
        let bodies = (0..<writers).map { writer in
            (0..<bodiesPerWriter).map { index in
                BenchLines.crossings(device: "writer-\(writer)", firstSeq: firstSeq + Int64(index * batch), count: batch)
            }
        }
        firstSeq += Int64(bodiesPerWriter * batch)
        let stop = Atomic<Bool>(false)
        let finished = Atomic<Int>(0)
        let latencies = Mutex<[Double]>([])
        let failure = Mutex<String?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        Thread {
            while !stop.load(ordering: .relaxed) { beside() }
            finished.add(1, ordering: .relaxed)
        }.start()
        for writer in 0..<writers {
            let mine = bodies[writer]
            Thread {
                defer { finished.add(1, ordering: .relaxed) }
                for body in mine where !stop.load(ordering: .relaxed) {
                    let sent = DispatchTime.now().uptimeNanoseconds
                    do throws(CollectorError) {
                        let answer = try HTTPClient.request("POST", base + "/write?db=counts", body: body, timeoutMs: 60_000)
                        guard answer.status == 204 else { throw CollectorError("\(answer.status) \(answer.text)") }
                    } catch {
                        return failure.withLock { $0 = $0 ?? error.description }
                    }
                    latencies.withLock { $0.append(CollectorBench.seconds(since: sent) * 1000) }
                }
            }.start()
        }
        while CollectorBench.seconds(since: start) < Double(seconds) && !interruptRequested.load(ordering: .relaxed) { usleep(10_000) }
        stop.store(true, ordering: .relaxed)
        let elapsedS = CollectorBench.seconds(since: start)
        while finished.load(ordering: .relaxed) < writers + 1 { usleep(1000) }
        if let message = failure.withLock({ $0 }) { throw CollectorError("\(name): \(message)") }
        let measured = latencies.withLock { $0 }
        return Phase(name: name, latenciesMs: measured, lines: measured.count * batch, seconds: elapsedS)
    }
}
