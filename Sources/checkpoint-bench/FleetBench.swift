import CheckpointCLI
import CrossingCollector
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `checkpoint-bench fleet`: the collector with many devices connected and few sending, as a
/// national fleet is: what each turn of its loop costs when most connections are idle.
enum FleetBench {
    static let help = """
        usage: checkpoint-bench fleet [--connected LIST] [--senders K] [--seconds S] [--json]

        Starts checkpoint-collector serve (built beside this program: swift build -c release
        --product checkpoint-collector) as its own process, opens connections to its device
        port until LIST's count (default 100,1000,10000) is connected, of which K (default
        100) send signed 10-line batches back to back for S seconds (default 10) and the rest
        stay idle. Per count: lines/s acknowledged, the ack latency's p50 and p99 (send to
        ack), the collector's resident memory, and its CPU per idle connection, measured
        over 2 s with only the idle ones connected. The open-file limit is raised to its hard
        limit; each side holds one descriptor per connection.

          --json   {"fleet": [{"connected", "senders", "lines_per_s", "ack_p50_ms",
                   "ack_p99_ms", "rss_kib", "idle_cpu_us_per_connection_s"}]}
        """

    struct Figures {
        var connected: Int
        var senders: Int
        var linesPerS: Double
        var ackP50Ms: Double
        var ackP99Ms: Double
        var rssKiB: Int
        /// Microseconds of the collector's CPU per second, per idle connection.
        var idleCpuUsPerConnection: Double
    }

    static func main(_ argumentList: [String]) {
        let (arguments, (counts, senders, seconds)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["connected", "senders", "seconds"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            let counts = try (arguments.value("connected") ?? "100,1000,10000").split(separator: ",").map { text throws(UsageError) in
                guard let count = Int(text), (1...100_000).contains(count) else { throw UsageError("--connected: '\(text)' is not a count") }
                return count
            }
            let senders = try arguments.integer("senders", in: 1...1000) ?? 100
            guard counts.allSatisfy({ $0 >= senders }) else { throw UsageError("--connected: every count must hold the \(senders) senders") }
            return (counts, senders, Double(try arguments.integer("seconds", in: 1...600) ?? 10))
        }
        raiseFileLimit()
        installInterruptHandler()
        var rows: [Figures] = []
        for count in counts where !interruptRequested.load(ordering: .relaxed) {
            Terminal.error("fleet: \(count) connected, \(senders) sending, \(Int(seconds)) s")
            do throws(CollectorError) {
                rows.append(try run(connected: count, senders: senders, seconds: seconds))
            } catch {
                Terminal.fail(program, error.description)
            }
        }
        if arguments.flag("json") {
            let objects: [JSONValue] = rows.map { row in
                .object([
                    ("connected", .integer(Int64(row.connected))), ("senders", .integer(Int64(row.senders))),
                    ("lines_per_s", .number(row.linesPerS)), ("ack_p50_ms", .number(row.ackP50Ms)), ("ack_p99_ms", .number(row.ackP99Ms)),
                    ("rss_kib", .integer(Int64(row.rssKiB))), ("idle_cpu_us_per_connection_s", .number(row.idleCpuUsPerConnection)),
                ])
            }
            print(JSONValue.object([("fleet", .array(objects))]).rendered())
        } else {
            print(renderTable(
                headers: ["connected", "sending", "lines/s", "ack p50 ms", "ack p99 ms", "collector RSS MiB", "idle CPU µs/s per conn"],
                rows: rows.map { row in
                    [String(row.connected), String(row.senders), String(format: "%.0f", row.linesPerS), String(format: "%.2f", row.ackP50Ms),
                     String(format: "%.2f", row.ackP99Ms), String(row.rssKiB / 1024), String(format: "%.3f", row.idleCpuUsPerConnection)]
                }))
        }
        exitIfInterrupted()
    }

    static func run(connected: Int, senders: Int, seconds: Double) throws(CollectorError) -> Figures {
        let directory = benchDirectory("fleet")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = (0..<senders).map { "fleet-\($0)" }
        let keys = names.map { "\($0) \(BenchLines.key($0).map { String(format: "%02x", $0) }.joined())" }.joined(separator: "\n") + "\n"
        FileManager.default.createFile(atPath: directory + "/keys", contents: Data(keys.utf8), attributes: [.posixPermissions: 0o600])
        let server = try CollectorChild(arguments: [
            "serve", "--data", directory + "/data", "--tcp", "127.0.0.1:0", "--http", "off", "--keys", directory + "/keys",
            "--connections-max", String(connected + 16), "--idle-timeout", "3600",
        ])
        defer { server.stop() }
        var idle: [LineClient] = []
        for _ in 0..<(connected - senders) {
            guard let client = LineClient(port: server.port, timeoutMs: 10_000) else { throw CollectorError("connection \(idle.count + 1) refused") }
            idle.append(client)
        }
        usleep(500_000)
        let cpuBefore = server.cpuSeconds()
        usleep(2_000_000)
        let idleCpuUs = (server.cpuSeconds() - cpuBefore) / 2 * 1e6 / Double(max(1, idle.count))
        let (lines, latencies) = try send(names: names, port: server.port, seconds: seconds)
        let sorted = latencies.sorted()
        func percentile(_ share: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))] }
        let figures = Figures(
            connected: connected, senders: senders, linesPerS: Double(lines) / seconds, ackP50Ms: percentile(0.5), ackP99Ms: percentile(0.99),
            rssKiB: server.residentKiB(), idleCpuUsPerConnection: idle.isEmpty ? 0 : idleCpuUs)
        withExtendedLifetime(idle) {}
        return figures
    }

    /// Each sender, on its own thread, sends signed 10-line batches one after the other until
    /// `seconds` pass, timing each from send to ack. Returns the lines acknowledged and every
    /// ack's latency in ms.
    static func send(names: [String], port: Int, seconds: Double) throws(CollectorError) -> (Int, [Double]) {
        let results = Mutex<(lines: Int, latencies: [Double], failures: Int)>((0, [], 0))
        let done = Atomic<Int>(0)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        for name in names {
            Thread {
                defer { done.add(1, ordering: .relaxed) }
                guard let socket = LineClient(port: port, timeoutMs: 30_000) else { return results.withLock { $0.failures += 1 } }
                let key = BenchLines.key(name)
                var seq: Int64 = 1
                var latencies: [Double] = []
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    let batch = BenchLines.signedBatch(device: name, key: key, firstSeq: seq, count: 10)
                    let start = DispatchTime.now().uptimeNanoseconds
                    guard socket.send(batch), socket.readLine()?.hasPrefix("ack ") == true else { return results.withLock { $0.failures += 1 } }
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    seq += 10
                }
                results.withLock {
                    $0.lines += latencies.count * 10
                    $0.latencies += latencies
                }
            }.start()
        }
        while done.load(ordering: .relaxed) < names.count { usleep(1000) }
        let (lines, latencies, failures) = results.withLock { $0 }
        guard failures == 0 else { throw CollectorError("\(failures) of \(names.count) senders were not acknowledged") }
        return (lines, latencies)
    }

    static func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// `checkpoint-collector serve` as a child process, its device port read from what it prints.
final class CollectorChild {
    let process = Process()
    let port: Int

    init(arguments: [String]) throws(CollectorError) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("checkpoint-collector").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw CollectorError("\(binary) is not built: swift build -c release --product checkpoint-collector")
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CollectorError("\(binary): \(error)")
        }
        // The first line: `tcp 127.0.0.1:PORT http off`.
        var line: [UInt8] = []
        while let byte = try? output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        guard words.count >= 2, let port = words[1].split(separator: ":").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw CollectorError("the collector did not say its port: '\(String(decoding: line, as: UTF8.self))'")
        }
        self.port = port
    }

    /// User and system CPU the process has used, seconds (from /proc/PID/stat).
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (proc(5)), so 11 and 12 here.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory now, KiB (VmRSS).
    func residentKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
