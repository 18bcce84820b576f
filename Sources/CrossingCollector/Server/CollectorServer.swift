import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The collector's servers: the device protocol over TCP (docs/device-protocol.md) and
/// HTTP (docs/collector-api.md), on one thread with `epoll` (Poller), over one store, with the
/// log appended and synced on a second thread (LogWriter).
///
/// Each turn of the loop reads what every ready connection sent and handles every whole batch
/// and request, handing accepted lines to the log writer. An ack or `204` waits until the
/// writer has synced the log past its write (the group commit), which the writer signals
/// through `wakeup`; meanwhile the loop goes on reading and parsing. Every buffer has a limit
/// (ServerOptions); a client past one gets a clear error and its connection closes, and the
/// others are not touched.
///
/// A turn touches only the connections that are ready or were left with something to do
/// (`attention`), so its cost follows the traffic, not the connections held open; timeouts
/// are checked by a sweep over every connection four times a second.
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
    /// Where every read lands before it is appended to its connection: one buffer for the
    /// server, not a zeroed 64 KiB array per read.
    var readChunk = [UInt8](repeating: 0, count: 64 << 10)
    var poller: Poller
    /// Made readable by the log writer after each sync, and by the page worker after each page.
    let wakeup: Wakeup
    /// Builds pages and reports while `run` runs.
    var pages: PageWorker?
    var nextPageTicket = 0
    /// The connections waiting for a page, by ticket.
    var pagesWaiting: [Int: Int32] = [:]
    /// Connections to look at next turn whether or not their socket is ready: bytes left to
    /// handle, an answer just released, a read withheld by the shared budget.
    var attention: Set<Int32> = []
    /// Connections holding an answer for the group commit.
    var holding: Set<Int32> = []
    /// The log writer's syncs as of the last `commit`: one since is news for the relay.
    var syncsSeen = 0
    /// When the last timeout sweep ran (monotonic ms).
    var lastSweepMs: Int64 = 0
    static let sweepIntervalMs: Int64 = 250

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
        poller = try Poller()
        wakeup = try Wakeup()
        try poller.add(wakeup.fd, interest: Poller.readable)
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
        for listener in listeners { try poller.add(listener.fd, interest: Poller.readable) }
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
        store.startLogWriter { [wakeup] in wakeup.signal() }
        pages = PageWorker(build: Self.answer) { [wakeup] in wakeup.signal() }
        while !stopRequested.load(ordering: .relaxed) {
            if let replacement = pendingKeys.withLock({ pending in defer { pending = nil }; return pending }) {
                keys = replacement
                metrics.keyReloads += 1
                log("keys replaced: \(replacement.keys.count) devices, \(replacement.keys.values.filter { $0.count > 1 }.count) of them with a previous key still accepted")
            }
            turn(timeoutMs: 100)
        }
        pages?.stop()
        pages = nil
        do throws(CollectorError) {
            try store.stopLogWriter()
        } catch {
            fatal(error)
        }
    }

    /// One turn of the loop: wait up to `timeoutMs` for something to do, then do it.
    func turn(timeoutMs: Int32) {
        let pending = attention.contains { connections[$0].map { $0.canHandle && $0.fresh } ?? false }
        do throws(CollectorError) {
            try poller.wait(timeoutMs: pending || !attention.isEmpty && bufferedBytes < options.bufferedBytesMax ? 0 : timeoutMs)
        } catch {
            fatal(error)
        }
        let nowMs = Socket.monotonicMs()
        var touched = attention
        attention.removeAll(keepingCapacity: true)
        for (fd, events) in poller.ready {
            if fd == wakeup.fd {
                wakeup.drain()
                continue
            }
            if let listener = listeners.first(where: { $0.fd == fd }) {
                acceptAll(listener.fd, kind: listener.kind, nowMs: nowMs)
                continue
            }
            guard let connection = connections[fd] else { continue }
            if events & (Poller.readable | Poller.closed) != 0 && wantsRead(connection) { read(connection, nowMs: nowMs) }
            touched.insert(fd)
        }
        // Connections withheld by the shared budget are read once it has room again.
        for fd in touched {
            guard let connection = connections[fd], connection.interest & Poller.readable == 0, wantsRead(connection) else { continue }
            read(connection, nowMs: nowMs)
        }
        for fd in touched { if let connection = connections[fd] { handle(connection, nowMs: nowMs) } }
        touched.formUnion(commit())
        touched.formUnion(collectPages())
        if nowMs - lastSweepMs >= Self.sweepIntervalMs {
            lastSweepMs = nowMs
            touched.formUnion(connections.keys)
            for connection in connections.values { expire(connection, nowMs: nowMs) }
            assert(bufferedBytes == connections.values.reduce(0) { $0 + $1.bufferedBytes }, "bufferedBytes drifted")
        }
        for fd in touched {
            guard let connection = connections[fd] else { continue }
            if connection.wantsWrite { flush(connection, nowMs: nowMs) }
            if connection.closing && !connection.wantsWrite && !connection.waiting { closeGracefully(connection, nowMs: nowMs) }
            guard connections[fd] != nil else { continue }
            watch(connection)
        }
    }

    /// Whether the connection is to be read: lingering (read and dropped), or able to take
    /// more within its own read-ahead and the shared budget.
    func wantsRead(_ connection: Connection) -> Bool {
        connection.lingerUntilMs != nil || connection.canHandle && !connection.peerClosed && mayRead(connection)
    }

    /// Sets what the poller watches the connection for, and notes whether it needs a look next
    /// turn regardless: bytes to handle, or reading withheld only by the shared budget.
    func watch(_ connection: Connection) {
        var interest: UInt32 = 0
        if wantsRead(connection) { interest |= Poller.readable }
        if connection.wantsWrite { interest |= Poller.writable }
        if interest != connection.interest {
            do throws(CollectorError) {
                try poller.change(connection.fd, interest: interest)
            } catch {
                fatal(error)
            }
            connection.interest = interest
        }
        let budgetBound = connection.canHandle && !connection.peerClosed && connection.unread < readAheadMax(connection)
            && interest & Poller.readable == 0
        if connection.canHandle && connection.fresh || budgetBound { attention.insert(connection.fd) }
    }

    func handle(_ connection: Connection, nowMs: Int64) {
        guard connection.canHandle, connection.fresh else { return }
        connection.fresh = false
        let before = connection.bufferedBytes
        switch connection.kind {
        case .device: handleDevice(connection, nowMs: nowMs)
        case .http: handleHTTP(connection, nowMs: nowMs)
        }
        if connection.held != nil {
            // Whatever it answers waits for every write handed over so far: its own, and any
            // earlier one its answer relies on (a resend found stored).
            connection.heldGeneration = store.lastGeneration
            holding.insert(connection.fd)
        }
        if connection.peerClosed && !connection.waiting { connection.closing = true }
        connection.compact()
        bufferedBytes += connection.bufferedBytes - before
    }

    func fatal(_ error: CollectorError) -> Never {
        log("storage failed: \(error); stopping without acknowledging anything unsynced")
        exit(1)
    }
}
