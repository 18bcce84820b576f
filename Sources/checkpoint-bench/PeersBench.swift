import CheckpointCLI
import CrossingCollector
import Foundation
import Synchronization

/// `checkpoint-bench peers`: the same lines in the same batches over HTTP `/write` to InfluxDB
/// 1.x, VictoriaMetrics and our collector, on this machine in this run, each checked by
/// reading its totals back.
enum PeersBench {
    static let help = """
        usage: checkpoint-bench peers --influxdb URL --victoriametrics URL [--lines N]
                                      [--batch N] [--rounds N] [--json]

        Sends N lines (default 1,000,000) of the devices' crossings shape, in bodies of
        --batch lines (default 5,000), one request per connection, to each target's /write:
        InfluxDB (database 'cp', which Tools/peers creates), VictoriaMetrics, and our
        collector's HTTP /write (in this process, its write-ahead log synced before each
        204: durable before the answer, which neither peer promises by default). First with
        one writer, one request at a time; then with four writers at once, each sending a
        quarter of the bodies. Targets take turns, --rounds times (default 3); each figure is
        the median round. Every round's total is read back from each target and must be
        exact: VictoriaMetrics answers 204 even to lines it dropped.
        Tools/bench-peers starts the peers and runs this.

          --json   one JSON object: influxdb_lines_per_s, victoriametrics_lines_per_s,
                   collector_lines_per_s, ratio_vs_influxdb, ratio_vs_victoriametrics,
                   the spreads, lines, batch, rounds; the same with four writers under
                   keys ending _4_writers
        """

    struct Target {
        var name: String
        var writeURL: String
        /// Lines/s per round, by the number of writers.
        var rates: [Int: [Double]] = [:]
    }

    static let writerCounts = [1, 4]

    static func main(_ argumentList: [String]) {
        let (arguments, options) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["influxdb", "victoriametrics", "lines", "batch", "rounds"],
            flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            guard let influx = arguments.value("influxdb"), let vm = arguments.value("victoriametrics") else {
                throw UsageError("--influxdb URL and --victoriametrics URL are required (Tools/bench-peers starts them)")
            }
            return (influx: influx, vm: vm, lines: try arguments.integer("lines", in: 10_000...100_000_000) ?? 1_000_000,
                    batch: try arguments.integer("batch", in: 100...100_000) ?? 5000, rounds: try arguments.integer("rounds", in: 1...20) ?? 3)
        }
        installInterruptHandler()
        let directory = benchDirectory("peers")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var serverOptions = ServerOptions()
        serverOptions.tcp = nil
        serverOptions.http = "127.0.0.1:0"
        let server: CollectorServer
        do throws(CollectorError) {
            server = try CollectorServer(store: try CollectorStore(directory: directory, warn: { _ in }), options: serverOptions, keys: nil, log: { _ in })
        } catch {
            Terminal.fail(program, error.description)
        }
        let serverThread = Thread { server.run() }
        serverThread.start()
        var targets = [
            Target(name: "influxdb", writeURL: options.influx + "/write?db=cp&precision=ns"),
            Target(name: "victoriametrics", writeURL: options.vm + "/write?db=cp&precision=ns"),
            Target(name: "collector", writeURL: "http://127.0.0.1:\(server.httpPort!)/write?db=cp&precision=ns"),
        ]
        let batches = options.lines / options.batch
        let expected = BenchLines.total(firstSeq: 1, count: batches * options.batch)
        var progress = ProgressLine(total: Double(options.rounds * targets.count * Self.writerCounts.count), unit: "runs")
        var done = 0
        do throws(CollectorError) {
            for round in 1...options.rounds where !interruptRequested.load(ordering: .relaxed) {
                for writers in Self.writerCounts where !interruptRequested.load(ordering: .relaxed) {
                    // A device per round and writer count, so that no run's points overwrite
                    // (or, to us, repeat) another's.
                    let device = "bench-round-\(round)-\(writers)w-\(Int(Date().timeIntervalSince1970))"
                    let bodies = (0..<batches).map { BenchLines.crossings(device: device, firstSeq: Int64($0 * options.batch + 1), count: options.batch) }
                    for index in targets.indices where !interruptRequested.load(ordering: .relaxed) {
                        let seconds = try post(bodies, to: targets[index], writers: writers)
                        targets[index].rates[writers, default: []].append(Double(batches * options.batch) / seconds)
                        let stored = try storedTotal(
                            targets[index].name, device: device, expected: expected, influx: options.influx, vm: options.vm, server: server)
                        guard stored == expected else {
                            throw CollectorError(
                                "\(targets[index].name) holds \(stored) of the \(expected) counted in round \(round) (\(writers) writers): its figure would be a lie")
                        }
                        done += 1
                        progress.update(done: Double(done), detail: "\(targets[index].name), \(writers) writer\(writers == 1 ? "" : "s")")
                    }
                }
            }
        } catch {
            progress.finish()
            server.stop()
            Terminal.fail(program, error.description)
        }
        progress.finish()
        server.stop()
        while !serverThread.isFinished { usleep(1000) }
        exitIfInterrupted()
        printResults(targets, lines: batches * options.batch, batch: options.batch, json: arguments.flag("json"))
    }

    /// Posts every body to the target, `writers` at a time, each writer its share in turn;
    /// returns the wall seconds until the last answer.
    static func post(_ bodies: [[UInt8]], to target: Target, writers: Int) throws(CollectorError) -> Double {
        let failure = Mutex<String?>(nil)
        let finished = Atomic<Int>(0)
        let start = DispatchTime.now().uptimeNanoseconds
        for writer in 0..<writers {
            Thread {
                defer { finished.add(1, ordering: .relaxed) }
                for index in stride(from: writer, to: bodies.count, by: writers) {
                    do throws(CollectorError) {
                        let answer = try HTTPClient.request("POST", target.writeURL, body: bodies[index], timeoutMs: 60_000)
                        guard answer.status == 204 else { throw CollectorError("\(target.name): \(answer.status) \(answer.text)") }
                    } catch {
                        return failure.withLock { $0 = $0 ?? error.description }
                    }
                }
            }.start()
        }
        while finished.load(ordering: .relaxed) < writers { usleep(200) }
        if let message = failure.withLock({ $0 }) { throw CollectorError(message) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The sum of `count` a target holds for `device`: asked until it is `expected`, or for
    /// 30 s (a store may answer before what it took is searchable: VictoriaMetrics makes a new
    /// series searchable a second or more after its 204).
    static func storedTotal(
        _ name: String, device: String, expected: Int64, influx: String, vm: String, server: CollectorServer
    ) throws(CollectorError) -> Int64 {
        var last: Int64 = -1
        for _ in 0..<60 {
            let total: Int64
            switch name {
            case "influxdb":
                let query = #"SELECT sum("count") FROM "crossings" WHERE "device"='\#(device)'"#
                let answer = try HTTPClient.request("GET", influx + "/query?db=cp&q=" + escape(query))
                let json = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
                let series = ((json?["results"] as? [[String: Any]])?.first?["series"] as? [[String: Any]]) ?? []
                total = ((series.first?["values"] as? [[Any]])?.first?[1] as? NSNumber)?.int64Value ?? 0
            case "victoriametrics":
                let answer = try HTTPClient.request("GET", vm + "/api/v1/export?match[]=" + escape(#"{__name__="crossings_count",device="\#(device)"}"#))
                total = answer.text.split(separator: "\n").reduce(0) { sum, line in
                    let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    return sum + (json?["values"] as? [NSNumber] ?? []).reduce(0) { $0 + $1.int64Value }
                }
            default:
                let answer = try HTTPClient.request("GET", "http://127.0.0.1:\(server.httpPort!)/report?by=day&group=device")
                let json = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
                let rows = (json?["rows"] as? [[String: Any]] ?? []).filter { $0["device"] as? String == device }
                total = rows.reduce(0) { sum, row in
                    sum + Report.countColumns.reduce(0) { $0 + ((row[$1] as? NSNumber)?.int64Value ?? 0) }
                }
            }
            if total == expected { return total }
            last = total
            usleep(500_000)
        }
        return last
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Each target's median rate and spread, and ours against each, with one writer and with
    /// four: a table, or `--json`.
    static func printResults(_ targets: [Target], lines: Int, batch: Int, json: Bool) {
        func median(_ rates: [Double]) -> Double { rates.isEmpty ? 0 : rates.sorted()[rates.count / 2] }
        func rates(_ target: Target, _ writers: Int) -> [Double] { target.rates[writers] ?? [] }
        if json {
            var fields: [(String, JSONValue)] = []
            for writers in Self.writerCounts {
                let suffix = writers == 1 ? "" : "_\(writers)_writers"
                for target in targets {
                    let figures = rates(target, writers)
                    fields.append(("\(target.name)_lines_per_s\(suffix)", .number(median(figures).rounded())))
                    fields.append(("\(target.name)_lines_per_s_min\(suffix)", .number((figures.min() ?? 0).rounded())))
                    fields.append(("\(target.name)_lines_per_s_max\(suffix)", .number((figures.max() ?? 0).rounded())))
                }
                let ours = median(rates(targets[2], writers))
                fields += [
                    ("ratio_vs_influxdb\(suffix)", .number((ours / median(rates(targets[0], writers)) * 100).rounded() / 100)),
                    ("ratio_vs_victoriametrics\(suffix)", .number((ours / median(rates(targets[1], writers)) * 100).rounded() / 100)),
                ]
            }
            fields += [
                ("lines", .integer(Int64(lines))), ("batch", .integer(Int64(batch))), ("rounds", .integer(Int64(rates(targets[0], 1).count))),
            ]
            print(JSONValue.object(fields).rendered())
            return
        }
        print(renderTable(
            headers: ["target", "writers", "lines/s", "spread", "ours / it"],
            rows: Self.writerCounts.flatMap { writers in
                targets.map { target in
                    let figures = rates(target, writers)
                    return [target.name, String(writers), String(format: "%.0f", median(figures)),
                            String(format: "%.0f-%.0f", figures.min() ?? 0, figures.max() ?? 0),
                            String(format: "%.2f", median(rates(targets[2], writers)) / median(figures))]
                }
            }))
        print("\(lines) lines in bodies of \(batch), \(rates(targets[0], 1).count) rounds; every total read back exact; ours durable before each answer")
    }
}
