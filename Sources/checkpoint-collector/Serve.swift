import CheckpointCLI
import CrossingCollector
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGHUP: the keys file is to be read again.
let reloadRequested = Atomic<Bool>(false)

/// `checkpoint-collector serve`: ingest from devices (TCP) and line-protocol clients (HTTP).
enum Serve {
    static let help = """
        usage: checkpoint-collector serve --data DIR [--tcp HOST:PORT] [--http HOST:PORT] [--keys FILE]
                                          [--relay URL] [--sites FILE] [--connections-max N]
                                          [--idle-timeout SECONDS] [--request-timeout SECONDS]
                                          [--body-bytes-max N] [--minute-horizon-days N]
                                          [--ui-token TOKEN|@FILE]

        Takes signed batches from devices over TCP (docs/device-protocol.md) and InfluxDB 1.x
        writes over HTTP (docs/collector-api.md), logs every accepted write durably in DIR
        before acknowledging it, and drops records it has stored before. Prints the bound
        addresses on stdout, then logs to stderr. SIGINT or SIGTERM stops it cleanly; SIGHUP
        reloads the keys file (a file that does not load leaves the keys in force). The HTTP
        port also serves the live page at / (docs/collector-api.md, "Pages").

          --data DIR             the store: write-ahead log, snapshot, relay cursor
          --tcp HOST:PORT        device protocol (default 127.0.0.1:8094; 'off' for none)
          --http HOST:PORT       HTTP API (default 127.0.0.1:8186; 'off' for none)
          --keys FILE            device keys, 'DEVICE-ID HEX-KEY [PREVIOUS-HEX-KEY]' per line,
                                 mode 600; HTTP writes carry the key's write token, not the
                                 key; without it HTTP writes are open and every TCP batch is
                                 refused
          --relay URL            forward accepted lines to http://HOST:PORT/write?db=NAME
          --sites FILE           queue settings per site for /report (default DIR/sites.json
                                 when present)
          --connections-max N    connections open at once (default 4096)
          --idle-timeout S       close a connection silent for S seconds (default 120)
          --request-timeout S    a batch or request must arrive whole within S seconds of its
                                 first byte (default 30)
          --body-bytes-max N     largest HTTP body (default 33554432)
          --minute-horizon-days N  keep totals per minute for N days back from the newest
                                 minute counted, per hour for a year, per day after that
                                 (default 7; docs/collector-api.md, "Rollups")
          --ui-token TOKEN       the pages (/, /site/NAME, /export/DAY.zip) and /report need
                                 TOKEN as HTTP Basic's password or a Bearer token; @FILE reads
                                 it from FILE's first line, which keeps it out of 'ps'
                                 (default: they are public)
        """

    struct Options {
        var data: String
        var server = ServerOptions()
        var keys: String?
        var relay: String?
        var sites: String?
        var minuteHorizonDays: Int?
    }

    static func main(_ argumentList: [String]) {
        var (_, options) = Command.parse(
            argumentList, program: program, help: help,
            valueOptions: ["data", "tcp", "http", "keys", "relay", "sites", "connections-max", "idle-timeout", "request-timeout",
                           "body-bytes-max", "minute-horizon-days", "ui-token"],
            flagOptions: []
        ) { arguments throws(UsageError) in
            guard let data = arguments.value("data") else { throw UsageError("--data DIR is required") }
            var options = Options(data: data, keys: arguments.value("keys"), relay: arguments.value("relay"), sites: arguments.value("sites"))
            if let tcp = arguments.value("tcp") { options.server.tcp = tcp == "off" ? nil : tcp }
            if let http = arguments.value("http") { options.server.http = http == "off" ? nil : http }
            if options.server.tcp == nil && options.server.http == nil { throw UsageError("--tcp and --http are both off") }
            if let count = try arguments.integer("connections-max", in: 1...100_000) { options.server.connectionsMax = count }
            if let seconds = try arguments.integer("idle-timeout", in: 1...86_400) { options.server.idleTimeoutMs = Int64(seconds) * 1000 }
            if let seconds = try arguments.integer("request-timeout", in: 1...86_400) { options.server.requestTimeoutMs = Int64(seconds) * 1000 }
            if let bytes = try arguments.integer("body-bytes-max", in: 1024...(1 << 30)) { options.server.bodyBytesMax = bytes }
            if let relay = options.relay, !relay.hasPrefix("http://") { throw UsageError("--relay: '\(relay)' is not an http:// URL") }
            options.minuteHorizonDays = try arguments.integer("minute-horizon-days", in: 1...365)
            options.server.uiToken = try arguments.value("ui-token").map { value throws(UsageError) in try uiToken(value) }
            return options
        }
        let log: @Sendable (String) -> Void = { Terminal.error("\(Date().formatted(.iso8601)) \($0)") }
        options.server.connectionsMax = raiseFileLimit(for: options.server.connectionsMax, log: log)
        let server: CollectorServer
        let relay: Relay?
        do throws(CollectorError) {
            let keys = try options.keys.map { path throws(CollectorError) in try DeviceKeys.load(path: path) }
            if keys == nil { log("no --keys: HTTP writes are open to anyone on \(options.server.http ?? "-"), and TCP batches are refused") }
            let sitesPath = options.sites ?? (FileManager.default.fileExists(atPath: options.data + "/sites.json") ? options.data + "/sites.json" : nil)
            let sites = try sitesPath.map { path throws(CollectorError) in try SiteConfig.load(path: path) } ?? SiteConfig()
            let store = try CollectorStore(directory: options.data, warn: log)
            if let days = options.minuteHorizonDays { store.setMinuteHorizon(days: days) }
            relay = try options.relay.map { url throws(CollectorError) in try Relay(url: url, dataDirectory: options.data, log: log) }
            server = try CollectorServer(store: store, options: options.server, keys: keys, sites: sites, relay: relay, log: log)
            log("store \(options.data): \(store.ledger.points) points, \(store.ledger.storedSeqs.count) devices, log \(store.wal.bytesOnDisk()) bytes")
        } catch {
            Terminal.fail(program, error.description)
        }
        print(["tcp \(server.tcpPort.map { host(options.server.tcp) + ":\($0)" } ?? "off")",
               "http \(server.httpPort.map { host(options.server.http) + ":\($0)" } ?? "off")"].joined(separator: " "))
        fflush(nil)
        signal(SIGPIPE, SIG_IGN)
        installInterruptHandler()
        signal(SIGHUP) { _ in reloadRequested.store(true, ordering: .relaxed) }
        let keysPath = options.keys
        let watcher = Thread {
            while !interruptRequested.load(ordering: .relaxed) {
                usleep(50_000)
                if reloadRequested.exchange(false, ordering: .relaxed) { reloadKeys(keysPath, into: server, log: log) }
            }
            server.stop()
        }
        watcher.start()
        let relayThread = relay?.start()
        server.run()
        relay?.stop()
        while relayThread?.isFinished == false { usleep(10_000) }
        let metrics = server.metrics
        log("stopped: \(metrics.linesAccepted) lines stored, \(metrics.linesDuplicate) duplicates dropped, \(metrics.linesRejected) refused")
        exit(0)
    }

    /// `--ui-token`'s value: the token, or `@FILE` for the first line of FILE.
    static func uiToken(_ value: String) throws(UsageError) -> String {
        var token = value
        if value.hasPrefix("@") {
            guard let text = try? String(contentsOfFile: String(value.dropFirst()), encoding: .utf8) else {
                throw UsageError("--ui-token: cannot read '\(value.dropFirst())'")
            }
            token = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw UsageError("--ui-token: the token must be one word, not empty")
        }
        return token
    }

    /// Reads the keys file again and hands it to the server; a file that does not load leaves
    /// the keys in force, so a typo during a rotation refuses nobody.
    static func reloadKeys(_ path: String?, into server: CollectorServer, log: (String) -> Void) {
        guard let path else { return log("SIGHUP: no --keys file to reload") }
        do throws(CollectorError) {
            server.replaceKeys(try DeviceKeys.load(path: path))
        } catch {
            log("SIGHUP: \(error.description); the keys in force stay")
        }
    }

    /// Raises the open-file limit to cover every connection allowed, as far as the hard limit
    /// lets, and returns the connections it does cover: a server that runs out of descriptors
    /// cannot even refuse a connection, so it must refuse at accept before that.
    static func raiseFileLimit(for connections: Int, log: (String) -> Void) -> Int {
        let spareFiles = 64  // listeners, the log, the snapshot, the relay's socket, stdio
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return connections }
        let needed = rlim_t(connections + spareFiles)
        if limit.rlim_cur < needed {
            limit.rlim_cur = min(needed, limit.rlim_max)
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        let covered = min(connections, max(1, Int(limit.rlim_cur) - spareFiles))
        if covered < connections {
            log("open-file limit \(limit.rlim_cur) covers \(covered) connections, not \(connections): more are refused at accept")
        }
        return covered
    }

    static func host(_ address: String?) -> String {
        guard let address, let colon = address.lastIndex(of: ":") else { return "" }
        return String(address[..<colon])
    }
}
