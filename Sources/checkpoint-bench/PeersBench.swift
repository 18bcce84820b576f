import CheckpointCLI
import CrossingCollector
import Foundation

/// `checkpoint-bench peers`: the same lines in the same batches over HTTP `/write` to InfluxDB
/// 1.x, VictoriaMetrics and our collector, on this machine in this run, each checked by
/// reading its totals back.
enum PeersBench {
    static let help = """
        usage: checkpoint-bench peers --influxdb URL --victoriametrics URL [--lines N]
                                      [--batch N] [--rounds N] [--json]

        Sends N lines (default 1,000,000) of the devices' crossings shape, in bodies of
        --batch lines (default 5,000), one request per connection and one request at a
        time, to each target's /write: InfluxDB (database 'cp', which Tools/peers creates),
        VictoriaMetrics, and our collector's HTTP /write (in this process, its write-ahead
        log synced before each 204). Targets take turns, --rounds times (default 3); each
        figure is the median round. Every round's total is read back from each target and
        must be exact: VictoriaMetrics answers 204 even to lines it dropped.
        Tools/bench-peers starts the peers and runs this.

          --json   one JSON object: influxdb_lines_per_s, victoriametrics_lines_per_s,
                   collector_lines_per_s, ratio_vs_influxdb, ratio_vs_victoriametrics,
                   the spreads, lines, batch, rounds
        """

    struct Target {
        var name: String
        var writeURL: String
        var rates: [Double] = []
    }

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
        var progress = ProgressLine(total: Double(options.rounds * targets.count), unit: "runs")
        do throws(CollectorError) {
            for round in 1...options.rounds where !interruptRequested.load(ordering: .relaxed) {
                // A device per round, so no round's points overwrite (or, to us, repeat) another's.
                let device = "bench-round-\(round)-\(Int(Date().timeIntervalSince1970))"
                let bodies = (0..<batches).map { BenchLines.crossings(device: device, firstSeq: Int64($0 * options.batch + 1), count: options.batch) }
                for index in targets.indices where !interruptRequested.load(ordering: .relaxed) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    for body in bodies {
                        let answer = try HTTPClient.request("POST", targets[index].writeURL, body: body, timeoutMs: 60_000)
                        guard answer.status == 204 else { throw CollectorError("\(targets[index].name): \(answer.status) \(answer.text)") }
                    }
                    targets[index].rates.append(Double(batches * options.batch) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
                    let stored = try storedTotal(targets[index].name, device: device, influx: options.influx, vm: options.vm, server: server)
                    guard stored == expected else {
                        throw CollectorError("\(targets[index].name) holds \(stored) of the \(expected) counted in round \(round): its figure would be a lie")
                    }
                    progress.update(done: Double((round - 1) * targets.count + index + 1), detail: targets[index].name)
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

    /// The sum of `count` a target holds for `device`, asked until it stops changing (a store
    /// may answer before what it took is searchable).
    static func storedTotal(_ name: String, device: String, influx: String, vm: String, server: CollectorServer) throws(CollectorError) -> Int64 {
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
            if total == last { return total }
            last = total
            usleep(500_000)
        }
        return last
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Each target's median rate and spread, and ours against each: a table, or `--json`.
    static func printResults(_ targets: [Target], lines: Int, batch: Int, json: Bool) {
        func median(_ rates: [Double]) -> Double { rates.sorted()[rates.count / 2] }
        let influx = median(targets[0].rates)
        let vm = median(targets[1].rates)
        let ours = median(targets[2].rates)
        if json {
            var fields: [(String, JSONValue)] = []
            for target in targets {
                fields.append(("\(target.name)_lines_per_s", .number(median(target.rates).rounded())))
                fields.append(("\(target.name)_lines_per_s_min", .number((target.rates.min() ?? 0).rounded())))
                fields.append(("\(target.name)_lines_per_s_max", .number((target.rates.max() ?? 0).rounded())))
            }
            fields += [
                ("ratio_vs_influxdb", .number((ours / influx * 100).rounded() / 100)),
                ("ratio_vs_victoriametrics", .number((ours / vm * 100).rounded() / 100)),
                ("lines", .integer(Int64(lines))), ("batch", .integer(Int64(batch))),
                ("rounds", .integer(Int64(targets[0].rates.count))),
            ]
            print(JSONValue.object(fields).rendered())
            return
        }
        print(renderTable(
            headers: ["target", "lines/s", "spread", "ours / it"],
            rows: targets.map { target in
                [target.name, String(format: "%.0f", median(target.rates)),
                 String(format: "%.0f-%.0f", target.rates.min() ?? 0, target.rates.max() ?? 0),
                 String(format: "%.2f", ours / median(target.rates))]
            }))
        print("\(lines) lines in bodies of \(batch), \(targets[0].rates.count) rounds; every total read back exact")
    }
}
