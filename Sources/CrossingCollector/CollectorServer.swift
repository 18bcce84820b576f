import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The collector's servers: the device protocol over TCP (docs/device-protocol.md) and
/// HTTP (docs/collector-api.md), on one thread with `poll`, over one store.
///
/// Each turn of the loop reads what every ready connection sent, handles every whole batch
/// and request (appending accepted lines to the log), syncs the log once, and only then sends
/// the acks and `204`s: the group commit. Every buffer has a limit (ServerOptions); a client
/// past one gets a clear error and its connection closes, and the others are not touched.
public final class CollectorServer: @unchecked Sendable {
    public let store: CollectorStore
    public private(set) var metrics = Metrics()
    public let tcpPort: Int?
    public let httpPort: Int?
    let options: ServerOptions
    let keys: DeviceKeys?
    let sites: SiteConfig
    let relay: Relay?
    let log: @Sendable (String) -> Void
    private let stopRequested = Atomic<Bool>(false)
    private var listeners: [(fd: Int32, kind: Connection.Kind)] = []
    private var connections: [Int32: Connection] = [:]
    /// Judges and stores device batches, remembering the last ones' MACs.
    private var batches = DeviceBatches()
    /// All connections' `bufferedBytes`, as of the last read.
    private var bufferedBytes = 0

    /// Binds the listeners. `keys` nil lets any client write over HTTP and refuses every
    /// device-protocol batch (no key to check it with).
    public init(
        store: CollectorStore, options: ServerOptions, keys: DeviceKeys?, sites: SiteConfig = SiteConfig(), relay: Relay? = nil,
        log: @escaping @Sendable (String) -> Void
    ) throws(CollectorError) {
        self.store = store
        self.options = options
        self.keys = keys
        self.sites = sites
        self.relay = relay
        self.log = log
        var tcpPort: Int?
        var httpPort: Int?
        if let tcp = options.tcp {
            let (fd, port) = try Socket.listen(tcp)
            listeners.append((fd, .device))
            tcpPort = port
        }
        if let http = options.http {
            do throws(CollectorError) {
                let (fd, port) = try Socket.listen(http)
                listeners.append((fd, .http))
                httpPort = port
            } catch {
                for listener in listeners { close(listener.fd) }
                throw error
            }
        }
        self.tcpPort = tcpPort
        self.httpPort = httpPort
        metrics.walBytes = Int64(store.wal.bytesOnDisk())
        relay?.publish(durable: store.wal.synced)
    }

    deinit {
        for listener in listeners { close(listener.fd) }
        for connection in connections.values { close(connection.fd) }
    }

    /// Asks `run` to return after its current turn; safe from any thread or a signal handler's flag.
    public func stop() { stopRequested.store(true, ordering: .relaxed) }

    /// Serves until `stop`. A storage failure (the log cannot be written or synced) ends the
    /// process: nothing unsynced may be acknowledged, and a restart replays the log.
    public func run() {
        while !stopRequested.load(ordering: .relaxed) {
            turn(timeoutMs: 100)
        }
        do throws(CollectorError) {
            try store.sync()
        } catch {
            fatal(error)
        }
    }

    /// One turn of the loop: wait up to `timeoutMs` for something to do, then do it.
    func turn(timeoutMs: Int32) {
        var pollFds = listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        let order = Array(connections.keys)
        var pending = false
        bufferedBytes = connections.values.reduce(0) { $0 + $1.bufferedBytes }
        for fd in order {
            let connection = connections[fd]!
            var events: Int16 = 0
            if connection.lingerUntilMs != nil || connection.canHandle && !connection.peerClosed && mayRead(connection) {
                events |= Int16(POLLIN)
            }
            if connection.wantsWrite { events |= Int16(POLLOUT) }
            if connection.canHandle && connection.fresh { pending = true }
            pollFds.append(pollfd(fd: fd, events: events, revents: 0))
        }
        let ready = poll(&pollFds, nfds_t(pollFds.count), pending ? 0 : timeoutMs)
        if ready < 0 && errno != EINTR { fatal(.system("poll")) }
        let nowMs = Socket.monotonicMs()
        for (index, listener) in listeners.enumerated() where pollFds[index].revents != 0 {
            acceptAll(listener.fd, kind: listener.kind, nowMs: nowMs)
        }
        for (offset, fd) in order.enumerated() {
            let revents = pollFds[listeners.count + offset].revents
            guard let connection = connections[fd] else { continue }
            if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { read(connection, nowMs: nowMs) }
        }
        for connection in connections.values { handle(connection, nowMs: nowMs) }
        commit()
        for connection in connections.values {
            if connection.wantsWrite { flush(connection, nowMs: nowMs) }
            expire(connection, nowMs: nowMs)
            if connection.closing && !connection.wantsWrite { closeGracefully(connection, nowMs: nowMs) }
        }
    }

    private func readAheadMax(_ connection: Connection) -> Int {
        connection.kind == .device ? options.lineBytesMax + (256 << 10) : options.headerBytesMax + options.bodyBytesMax + (64 << 10)
    }

    /// Within its own read-ahead, and within the shared budget or under its floor.
    private func mayRead(_ connection: Connection) -> Bool {
        connection.unread < readAheadMax(connection)
            && (bufferedBytes < options.bufferedBytesMax || connection.bufferedBytes < options.connectionFloorBytes)
    }

    private func acceptAll(_ listener: Int32, kind: Connection.Kind, nowMs: Int64) {
        while let (fd, peer) = Socket.accept(listener) {
            guard connections.count < options.connectionsMax else {
                metrics.connectionsRefused += 1
                let refusal = kind == .device ? Array("nack busy\n".utf8) : HTTPResponse.error(503, "too many connections", close: true)
                _ = refusal.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
                close(fd)
                continue
            }
            metrics.connectionsAccepted += 1
            connections[fd] = Connection(fd: fd, kind: kind, peer: peer, nowMs: nowMs)
        }
        metrics.connectionsOpen = Int64(connections.count)
    }

    private func read(_ connection: Connection, nowMs: Int64) {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        if connection.lingerUntilMs != nil {
            for _ in 0..<4 {
                let got = chunk.withUnsafeMutableBytes { Glibc.read(connection.fd, $0.baseAddress!, $0.count) }
                if got > 0 { continue }
                if got == 0 || errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { connection.broken = true }
                break
            }
            return
        }
        var taken = 0
        while taken < 256 << 10 && mayRead(connection) {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(connection.fd, $0.baseAddress!, $0.count) }
            if got > 0 {
                connection.inbound += chunk[0..<got]
                taken += got
                bufferedBytes += got
                connection.lastActivityMs = nowMs
                connection.fresh = true
                continue
            }
            if got == 0 {
                connection.peerClosed = true
                connection.fresh = true
            } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                // A reset: the client is gone, and so is anything it had not sent whole.
                connection.closing = true
                connection.broken = true
                connection.outbound.removeAll()
                connection.written = 0
            }
            break
        }
    }

    private func handle(_ connection: Connection, nowMs: Int64) {
        guard connection.canHandle, connection.fresh else { return }
        connection.fresh = false
        switch connection.kind {
        case .device: handleDevice(connection, nowMs: nowMs)
        case .http: handleHTTP(connection, nowMs: nowMs)
        }
        if connection.peerClosed && connection.held == nil { connection.closing = true }
        connection.compact()
    }

    /// Breaks a limit: count it, tell the client, close after the telling.
    private func breakLimit(_ connection: Connection, _ limit: String, answer: [UInt8]) {
        metrics.limitsBroken[limit, default: 0] += 1
        log("\(kindName(connection)) \(connection.peer): \(limit) limit broken; closing")
        connection.send(answer)
        connection.closing = true
    }

    private func kindName(_ connection: Connection) -> String { connection.kind == .device ? "tcp" : "http" }

    // MARK: The device protocol

    private func handleDevice(_ connection: Connection, nowMs: Int64) {
        while connection.canHandle {
            guard let newline = connection.inbound[connection.consumed...].firstIndex(of: 0x0A) else {
                if connection.unread > options.lineBytesMax {
                    breakLimit(connection, "line_bytes", answer: Array("nack line-too-long\n".utf8))
                } else if connection.unread > 0 && connection.unitStartMs == nil {
                    connection.unitStartMs = nowMs
                }
                return
            }
            let line = Array(connection.inbound[connection.consumed..<newline])
            connection.consumed = newline + 1
            if connection.unitStartMs == nil { connection.unitStartMs = nowMs }
            if line.count > options.lineBytesMax {
                breakLimit(connection, "line_bytes", answer: Array("nack line-too-long\n".utf8))
                return
            }
            if line.first == 0x23 {
                if line.starts(with: Array("# batch".utf8)) { answer(trailer: line, on: connection) }
                continue
            }
            connection.batch += line
            connection.batch.append(0x0A)
            if connection.batch.count > options.batchBytesMax {
                breakLimit(connection, "batch_bytes", answer: Array("nack batch-too-large\n".utf8))
                return
            }
        }
    }

    private func answer(trailer line: [UInt8], on connection: Connection) {
        let lines = connection.batch
        connection.batch = []
        connection.unitStartMs = nil
        let judged: (verdict: DeviceBatches.Verdict, ingest: CollectorStore.Ingest?)
        do throws(CollectorError) {
            judged = try batches.accept(lines: lines, trailer: line, keys: keys, store: store, receivedNs: Socket.wallNs())
        } catch {
            fatal(error)
        }
        switch judged.verdict {
        case .refused(let reason, let detail):
            metrics.batches[reason, default: 0] += 1
            log("tcp \(connection.peer): batch refused (\(reason)): \(detail); nothing stored")
            connection.send(Array("nack \(reason)\n".utf8))
            connection.closing = true
        case .repeated(let device, let first, let last):
            metrics.batches["repeat", default: 0] += 1
            log("tcp \(connection.peer): device \(device) batch \(first)-\(last) stored before (a resend or a replay); nothing stored")
            connection.held = .ack(last)
        case .stored(let device, let last):
            if let result = judged.ingest { count(result, from: "tcp \(connection.peer) device \(device)") }
            metrics.batches["ack", default: 0] += 1
            connection.held = .ack(last)
        }
    }

    private func count(_ result: CollectorStore.Ingest, from source: String) {
        metrics.linesAccepted += Int64(result.accepted)
        metrics.linesDuplicate += Int64(result.duplicates)
        metrics.linesRejected += Int64(result.errors.count)
        for error in result.errors.prefix(3) { log("\(source): \(error)") }
        if result.errors.count > 3 { log("\(source): \(result.errors.count - 3) more bad lines") }
    }

    // MARK: HTTP

    private func handleHTTP(_ connection: Connection, nowMs: Int64) {
        let reader = HTTPRequestReader(headerBytesMax: options.headerBytesMax, bodyBytesMax: options.bodyBytesMax)
        while connection.canHandle && connection.unread > 0 {
            let next: (request: HTTPRequest, consumed: Int)?
            do throws(HTTPError) {
                next = try reader.next(connection.inbound, from: connection.consumed)
            } catch {
                metrics.responses[error.status, default: 0] += 1
                let limit = [413: "body_bytes", 431: "header_bytes"][error.status]
                if let limit {
                    breakLimit(connection, limit, answer: HTTPResponse.error(error.status, error.message, close: true))
                } else {
                    log("http \(connection.peer): \(error.status) \(error.message); closing")
                    connection.send(HTTPResponse.error(error.status, error.message, close: true))
                    connection.closing = true
                }
                return
            }
            guard let (request, used) = next else {
                if connection.unitStartMs == nil { connection.unitStartMs = nowMs }
                return
            }
            connection.consumed += used
            connection.unitStartMs = nil
            let (status, response) = route(request, from: connection)
            metrics.responses[status, default: 0] += 1
            if !request.keepAlive { connection.closing = true }
            if status == 204 && request.path == "/write" || status == 400 && request.path == "/write" {
                connection.held = .bytes(response)
            } else {
                connection.send(response)
            }
        }
    }

    private func route(_ request: HTTPRequest, from connection: Connection) -> (Int, [UInt8]) {
        let close = !request.keepAlive
        switch (request.method, request.path) {
        case ("GET", "/ping"), ("HEAD", "/ping"):
            return (204, HTTPResponse.make(204, close: close))
        case ("POST", "/write"):
            return write(request, from: connection)
        case ("GET", "/metrics"):
            metrics.walBytes = Int64(store.wal.bytesOnDisk())
            metrics.bufferedBytes = Int64(bufferedBytes)
            if let relay {
                metrics.relayLines = relay.linesRelayed
                metrics.relayFailures = relay.failures
            }
            return (200, HTTPResponse.make(200, contentType: "text/plain; version=0.0.4", body: Array(metrics.prometheusText().utf8), close: close))
        case ("GET", "/report"):
            do throws(ReportError) {
                let query = try ReportQuery(parameters: request.query)
                let report = Report(ledger: store.ledger, query: query, sites: sites)
                return (200, HTTPResponse.make(200, contentType: "application/json", body: Array(report.json().utf8), close: close))
            } catch {
                return (400, HTTPResponse.error(400, error.description, close: close))
            }
        case (_, "/ping"), (_, "/write"), (_, "/metrics"), (_, "/report"):
            return (405, HTTPResponse.error(405, "method \(request.method) not allowed on \(request.path)", close: close))
        default:
            return (404, HTTPResponse.error(404, "no such path \(request.path)", close: close))
        }
    }

    private func write(_ request: HTTPRequest, from connection: Connection) -> (Int, [UInt8]) {
        let close = !request.keepAlive
        var device: String?
        if let keys {
            switch HTTPAuth.device(request, keys: keys) {
            case .success(let name):
                device = name
            case .failure(let reason):
                log("http \(connection.peer): write refused: \(reason); nothing stored")
                return (401, HTTPResponse.error(401, reason.description, close: close))
            }
        }
        guard let database = request.query["db"], !database.isEmpty else {
            return (400, HTTPResponse.error(400, "database is required", close: close))
        }
        if let encoding = request.header("content-encoding"), encoding.lowercased() != "identity" {
            return (415, HTTPResponse.error(415, "Content-Encoding '\(encoding)' is not supported; send the lines uncompressed", close: close))
        }
        let result: CollectorStore.Ingest
        do throws(CollectorError) {
            result = try store.ingest(
                request.body, precision: Precision(parameter: request.query["precision"]), receivedNs: Socket.wallNs(),
                source: CollectorStore.Source(device: device))
        } catch {
            fatal(error)
        }
        count(result, from: "http \(connection.peer)")
        guard let first = result.errors.first else { return (204, HTTPResponse.make(204, close: close)) }
        let message = "partial write: \(first) (\(result.errors.count) lines dropped, \(result.accepted) stored)"
        return (400, HTTPResponse.error(400, message, close: close))
    }

    // MARK: The group commit, writing, timeouts

    /// Syncs the log once for everything handled this turn, then releases the held answers.
    private func commit() {
        let holding = connections.values.filter { $0.held != nil }
        guard !holding.isEmpty else { return }
        if store.wal.needsSync {
            do throws(CollectorError) {
                try store.sync()
                try store.compactIfNeeded(keepFrom: relay?.cursorSegment)
            } catch {
                fatal(error)
            }
            metrics.walSyncs += 1
            relay?.publish(durable: store.wal.synced)
        }
        let nowNs = Socket.wallNs()
        for connection in holding {
            switch connection.held! {
            case .ack(let last): connection.send(Array("ack \(last) \(nowNs)\n".utf8))
            case .bytes(let bytes): connection.send(bytes)
            }
            connection.held = nil
            connection.fresh = true
            if connection.peerClosed { connection.closing = true }
        }
    }

    private func flush(_ connection: Connection, nowMs: Int64) {
        while connection.wantsWrite {
            let sent = connection.outbound.withUnsafeBytes {
                Glibc.send(connection.fd, $0.baseAddress! + connection.written, $0.count - connection.written, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                connection.written += sent
                connection.lastActivityMs = nowMs
                continue
            }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            connection.closing = true
            connection.broken = true
            connection.outbound.removeAll()
            connection.written = 0
            return
        }
        connection.compact()
        // What it sent while its answers piled up can be handled now.
        if connection.unread > 0 { connection.fresh = true }
    }

    private func expire(_ connection: Connection, nowMs: Int64) {
        guard !connection.closing, connection.held == nil else { return }
        if let start = connection.unitStartMs, nowMs - start > options.requestTimeoutMs {
            let answer = connection.kind == .device ? Array("nack timeout\n".utf8) : HTTPResponse.error(408, "request not complete within \(options.requestTimeoutMs) ms", close: true)
            breakLimit(connection, "request_time", answer: answer)
        } else if nowMs - connection.lastActivityMs > options.idleTimeoutMs {
            metrics.limitsBroken["idle", default: 0] += 1
            connection.closing = true
        }
    }

    /// Closes once the answer is out: at once when the client has closed or nothing more can
    /// go, else after lingering (Connection.lingerUntilMs) so the answer is not lost.
    private func closeGracefully(_ connection: Connection, nowMs: Int64) {
        if connection.broken || connection.peerClosed {
            return drop(connection)
        }
        guard let until = connection.lingerUntilMs else {
            shutdown(connection.fd, Int32(SHUT_WR))
            connection.lingerUntilMs = nowMs + Self.lingerMs
            connection.inbound = []
            connection.consumed = 0
            connection.batch = []
            return
        }
        if nowMs >= until { drop(connection) }
    }

    static let lingerMs: Int64 = 2000

    private func drop(_ connection: Connection) {
        close(connection.fd)
        connections[connection.fd] = nil
        metrics.connectionsOpen = Int64(connections.count)
    }

    private func fatal(_ error: CollectorError) -> Never {
        log("storage failed: \(error); stopping without acknowledging anything unsynced")
        exit(1)
    }
}
