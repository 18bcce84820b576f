import CheckpointCLI
import CrossingCollector
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `checkpoint-bench collector`: the collector's parser, its durable ingest, and its TCP
/// server with acks from many devices at once.
enum CollectorBench {
    static let help = """
        usage: checkpoint-bench collector [--lines N] [--only parse|ingest|tcp] [--json]
               checkpoint-bench collector --history-days D [--devices K] [--json]

        Times, on N lines (default 1,000,000) of the devices' crossings shape:
          parse    the line-protocol parser alone, in place (LineParser.check)
          ingest   CollectorStore in-process, as the server runs it: writes of 5,000 lines
                   parsed and counted on this thread, each handed to the log writer's
                   thread, which appends and syncs (fdatasync) them as they come; the clock
                   runs until the last write is durable
          tcp      the server on loopback, with 1, 10 and 100 devices each signing and sending
                   batches of 50 lines (about 7 KiB, as a device's) and waiting for each ack
                   (the devices' signing shares the machine with the server)
        and reports this process's peak RSS (the collector's, plus a batch per device).

        With --history-days, instead: K devices' (default 100) minute records for D days fed to
        a store (two crossings lines and a coverage line a minute each, synced and compacted
        as the server does), the resident memory as the days go by, and the time of a report
        over the first day. The collector's memory as its history grows.

          --lines N  lines per figure (default 1000000)
          --only F   that figure alone (for a profiler)
          --json     one JSON object: parse_lines_per_s, ingest_lines_per_s,
                     tcp_1_device_lines_per_s, tcp_10_devices_lines_per_s,
                     tcp_100_devices_lines_per_s, peak_rss_kib; with --history-days:
                     days, devices, lines, ingest_lines_per_s, totals (held, per minute,
                     hour or day), report_first_day_ms, report_rows, peak_rss_mib, samples
                     (day, totals, rss_mib)
        """

    static func main(_ argumentList: [String]) {
        let (arguments, (lines, only, history)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["lines", "only", "history-days", "devices"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            let only = arguments.value("only")
            if let only, !["parse", "ingest", "tcp"].contains(only) { throw UsageError("--only: '\(only)' is not parse, ingest or tcp") }
            let days = try arguments.integer("history-days", in: 1...3650)
            let devices = try arguments.integer("devices", in: 1...10_000)
            if days == nil && devices != nil { throw UsageError("--devices goes with --history-days") }
            if days != nil && (only != nil || arguments.value("lines") != nil) { throw UsageError("--history-days takes no --lines or --only") }
            return (try arguments.integer("lines", in: 10_000...100_000_000) ?? 1_000_000, only, days.map { ($0, devices ?? 100) })
        }
        installInterruptHandler()
        if let (days, devices) = history {
            do throws(CollectorError) {
                try HistoryBench.run(days: days, devices: devices, json: arguments.flag("json"))
            } catch {
                Terminal.fail(program, error.description)
            }
            exitIfInterrupted()
            return
        }
        var figures: [(String, Double)] = []
        do throws(CollectorError) {
            if only == nil || only == "parse" { figures.append(("parse_lines_per_s", parse(lines: lines))) }
            if only == nil || only == "ingest" { figures.append(("ingest_lines_per_s", try ingest(lines: lines))) }
            for devices in [1, 10, 100] where (only == nil || only == "tcp") && !interruptRequested.load(ordering: .relaxed) {
                figures.append(("tcp_\(devices)_device\(devices == 1 ? "" : "s")_lines_per_s", try tcp(devices: devices, lines: lines)))
            }
        } catch {
            Terminal.fail(program, error.description)
        }
        exitIfInterrupted()
        let peak = peakResidentKiB()
        if arguments.flag("json") {
            print(JSONValue.object(figures.map { ($0.0, .number($0.1.rounded())) } + [("peak_rss_kib", .integer(Int64(peak)))]).rendered())
            return
        }
        print(renderTable(headers: ["figure", "lines/s"], rows: figures.map { [$0.0, String(format: "%.0f", $0.1)] }))
        print("peak RSS \(peak / 1024) MiB; \(lines) lines per figure")
    }

    static func parse(lines: Int) -> Double {
        let body = BenchLines.crossings(device: "vl-pole-3", firstSeq: 1, count: 10_000)
        var parsed = 0
        let start = DispatchTime.now().uptimeNanoseconds
        while parsed < lines {
            let result = LineParser.check(body)
            precondition(result.errors.isEmpty, "the bench's lines parse")
            parsed += result.lines
        }
        return Double(parsed) / seconds(since: start)
    }

    static func ingest(lines: Int) throws(CollectorError) -> Double {
        let directory = benchDirectory("ingest")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory, warn: { _ in })
        store.startLogWriter {}
        let batch = 5000
        let bodiesPerRound = 20
        var elapsedS = 0.0
        var written = 0
        // Bodies are made outside the clock, a round at a time; the clock stops each round only
        // once the log writer has made all of it durable, so none of its work goes untimed.
        while written + batch <= lines {
            let round = min(bodiesPerRound, (lines - written) / batch)
            let bodies = (0..<round).map { BenchLines.crossings(device: "vl-pole-3", firstSeq: Int64(written + $0 * batch + 1), count: batch) }
            let start = DispatchTime.now().uptimeNanoseconds
            for body in bodies {
                let result = try store.ingest(body, precision: .ns, receivedNs: 0)
                guard result.errors.isEmpty, result.accepted == batch else { throw CollectorError("ingest refused lines: \(result.errors.first.map { "\($0)" } ?? "")") }
            }
            try store.sync()
            elapsedS += seconds(since: start)
            written += round * batch
        }
        try store.stopLogWriter()
        return Double(written) / elapsedS
    }

    /// `devices` threads, each sending its share of `lines` as signed 50-line batches.
    static func tcp(devices: Int, lines: Int) throws(CollectorError) -> Double {
        let directory = benchDirectory("tcp")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = (0..<devices).map { "bench-\($0)" }
        var options = ServerOptions()
        options.tcp = "127.0.0.1:0"
        options.http = nil
        let store = try CollectorStore(directory: directory, warn: { _ in })
        let server = try CollectorServer(
            store: store, options: options, keys: DeviceKeys(keys: Dictionary(uniqueKeysWithValues: names.map { ($0, BenchLines.key($0)) })),
            log: { _ in })
        let serverThread = Thread { server.run() }
        serverThread.start()
        defer {
            server.stop()
            while !serverThread.isFinished { usleep(1000) }
        }
        let perBatch = 50
        let batchesEach = max(1, lines / perBatch / devices)
        let failures = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let port = server.tcpPort!
        let start = DispatchTime.now().uptimeNanoseconds
        for name in names {
            Thread {
                defer { done.add(1, ordering: .relaxed) }
                guard let socket = LineClient(port: port, timeoutMs: 60_000) else {
                    failures.add(1, ordering: .relaxed)
                    return
                }
                // Each device signs its batches as it goes, as a device does.
                let key = BenchLines.key(name)
                for index in 0..<batchesEach {
                    let batch = BenchLines.signedBatch(device: name, key: key, firstSeq: Int64(index * perBatch + 1), count: perBatch)
                    guard socket.send(batch), socket.readLine()?.hasPrefix("ack ") == true else {
                        failures.add(1, ordering: .relaxed)
                        return
                    }
                }
            }.start()
        }
        while done.load(ordering: .relaxed) < devices { usleep(200) }
        let elapsed = seconds(since: start)
        guard failures.load(ordering: .relaxed) == 0 else { throw CollectorError("\(failures.load(ordering: .relaxed)) of \(devices) devices were not acknowledged") }
        return Double(devices * batchesEach * perBatch) / elapsed
    }

    static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
