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
    public internal(set) var metrics = Metrics()
    public let tcpPort: Int?
    public let httpPort: Int?
    let options: ServerOptions
    /// The keys in force; `replaceKeys` hands the loop new ones through `pendingKeys`.
    var keys: DeviceKeys?
    let pendingKeys = Mutex<DeviceKeys?>(nil)
    let sites: SiteConfig
    let relay: Relay?
    let log: @Sendable (String) -> Void
    let stopRequested = Atomic<Bool>(false)
    var listeners: [(fd: Int32, kind: Connection.Kind)] = []
    var connections: [Int32: Connection] = [:]
    /// Judges and stores device batches, remembering the last ones' MACs.
    var batches = DeviceBatches()
    /// All connections' `bufferedBytes`, as of the last read.
    var bufferedBytes = 0

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
        metrics.walDamage = store.wal.damage
        relay?.publish(durable: store.wal.synced)
    }

    deinit {
        for listener in listeners { close(listener.fd) }
        for connection in connections.values { close(connection.fd) }
    }

    /// Asks `run` to return after its current turn; safe from any thread or a signal handler's flag.
    public func stop() { stopRequested.store(true, ordering: .relaxed) }

    /// Puts `keys` in force from the loop's next turn, from any thread (a reloaded keys file).
    /// A batch or write already being judged is judged with the keys it started with.
    public func replaceKeys(_ keys: DeviceKeys) { pendingKeys.withLock { $0 = keys } }

    /// Serves until `stop`. A storage failure (the log cannot be written or synced) ends the
    /// process: nothing unsynced may be acknowledged, and a restart replays the log.
    public func run() {
        while !stopRequested.load(ordering: .relaxed) {
            if let replacement = pendingKeys.withLock({ pending in defer { pending = nil }; return pending }) {
                keys = replacement
                metrics.keyReloads += 1
                log("keys replaced: \(replacement.keys.count) devices, \(replacement.keys.values.filter { $0.count > 1 }.count) of them with a previous key still accepted")
            }
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

    func handle(_ connection: Connection, nowMs: Int64) {
        guard connection.canHandle, connection.fresh else { return }
        connection.fresh = false
        switch connection.kind {
        case .device: handleDevice(connection, nowMs: nowMs)
        case .http: handleHTTP(connection, nowMs: nowMs)
        }
        if connection.peerClosed && connection.held == nil { connection.closing = true }
        connection.compact()
    }

    func fatal(_ error: CollectorError) -> Never {
        log("storage failed: \(error); stopping without acknowledging anything unsynced")
        exit(1)
    }
}
