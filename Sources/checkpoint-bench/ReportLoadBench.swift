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
        timing each from send to its 204 (durable before the answer). Each writer speaks for
        25 devices whose records go on from the year's end, a minute at a time (eight lines a
        minute a device: four classes, two directions), so the totals age as a live fleet's
        do. For S seconds (default 5) without reports, then S seconds with a client asking
        /report over the whole year by day, one after another. The pages are built on their
        own thread from a copy of the ledger; this shows what that leaves of the acks.

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
        var firstMinute = 0
        let yearEndS = yearS + Int64(days) * 86_400
        let quiet = try writePhase("without_reports", base: base, seconds: seconds, startS: yearEndS, firstMinute: &firstMinute, beside: nil)
        let reportTimesMs = Mutex<[Double]>([])
        let busy = try writePhase("with_reports", base: base, seconds: seconds, startS: yearEndS, firstMinute: &firstMinute) {
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

    static let devicesPerWriter = 25
    static let linesPerMinute = devicesPerWriter * 8

    /// Writer `writer`'s records for the minutes from `firstMinute` after `startS`, into
    /// `body`: its 25 devices' crossings lines, four classes and two directions a minute, seq
    /// the minute's number (a record is a minute's lines). Built from byte templates, so that
    /// the writers can make their bodies as they go without slowing themselves down.
    static func minutes(writer: Int, startS: Int64, firstMinute: Int, count: Int, into body: inout [UInt8], prefixes: [[UInt8]]) {
        body.removeAll(keepingCapacity: true)
        for minute in firstMinute..<(firstMinute + count) {
            let timeNs = (startS + Int64(minute) * 60) * 1_000_000_000
            for (index, prefix) in prefixes.enumerated() {
                body += prefix
                body.append(0x30 + UInt8((minute + index) % 5 + 1))
                body += Array("i,seq=".utf8)
                appendDecimal(Int64(minute + 1), to: &body)
                body += Array("i ".utf8)
                appendDecimal(timeNs, to: &body)
                body.append(0x0A)
            }
        }
    }

    /// The tags and `count=` of each line of a minute, in order.
    static func prefixes(writer: Int) -> [[UInt8]] {
        (0..<devicesPerWriter).flatMap { device in
            BenchLines.classes.flatMap { crossingClass in
                ["inbound", "outbound"].map { direction in
                    Array("crossings,site=verkhny-lars,device=w\(writer)-\(device),lane=road,class=\(crossingClass),direction=\(direction) count=".utf8)
                }
            }
        }
    }

    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(0x30 + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes += digits.reversed()
    }

    /// Two writers sending bodies back to back for `seconds`, each write timed, while
    /// `beside`, if any, runs over and over on a third thread.
    static func writePhase(
        _ name: String, base: String, seconds: Int, startS: Int64, firstMinute: inout Int, beside: (@Sendable () -> Void)?
    ) throws(CollectorError) -> Phase {
        let minutesPerBody = 25
        let batch = minutesPerBody * linesPerMinute
        let writers = 2
        let start = firstMinute
        // Both writers go through the same minutes, each for its own devices.
        let bodiesSent = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let finished = Atomic<Int>(0)
        let latencies = Mutex<[Double]>([])
        let failure = Mutex<String?>(nil)
        let clock = DispatchTime.now().uptimeNanoseconds
        if let beside {
            Thread {
                while !stop.load(ordering: .relaxed) { beside() }
                finished.add(1, ordering: .relaxed)
            }.start()
        }
        for writer in 0..<writers {
            Thread {
                defer { finished.add(1, ordering: .relaxed) }
                let prefixes = prefixes(writer: writer)
                var body: [UInt8] = []
                var sentBodies = 0
                while !stop.load(ordering: .relaxed) {
                    minutes(writer: writer, startS: startS, firstMinute: start + sentBodies * minutesPerBody, count: minutesPerBody, into: &body, prefixes: prefixes)
                    sentBodies += 1
                    let sent = DispatchTime.now().uptimeNanoseconds
                    do throws(CollectorError) {
                        let answer = try HTTPClient.request("POST", base + "/write?db=counts", body: body, timeoutMs: 60_000)
                        guard answer.status == 204 else { throw CollectorError("\(answer.status) \(answer.text)") }
                    } catch {
                        return failure.withLock { $0 = $0 ?? error.description }
                    }
                    latencies.withLock { $0.append(CollectorBench.seconds(since: sent) * 1000) }
                }
                bodiesSent.add(sentBodies, ordering: .relaxed)
            }.start()
        }
        while CollectorBench.seconds(since: clock) < Double(seconds) && !interruptRequested.load(ordering: .relaxed) { usleep(10_000) }
        stop.store(true, ordering: .relaxed)
        let elapsedS = CollectorBench.seconds(since: clock)
        while finished.load(ordering: .relaxed) < writers + (beside == nil ? 0 : 1) { usleep(1000) }
        // The next phase goes on after every minute either writer reached.
        firstMinute = start + bodiesSent.load(ordering: .relaxed) * minutesPerBody
        if let message = failure.withLock({ $0 }) { throw CollectorError("\(name): \(message)") }
        let measured = latencies.withLock { $0 }
        return Phase(name: name, latenciesMs: measured, lines: measured.count * batch, seconds: elapsedS)
    }
}
