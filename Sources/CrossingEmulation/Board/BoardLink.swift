import CrossingDevice

/// The board's network link: none, a real TCP connection, an in-memory peer, or a pipe whose
/// far end a simulation drives.
public enum BoardLink: ClockedLink {
    /// No network: every connection is refused.
    case none
    case tcp(TCPLink)
    case peer(EmulatedHTTPPeer)
    case collector(EmulatedCollector)
    case pipe(PipeLink)

    /// The in-memory collector, when that is the link.
    public var collector: EmulatedCollector? {
        if case .collector(let collector) = self { return collector }
        return nil
    }

    /// The in-memory peer, when that is the link.
    public var peer: EmulatedHTTPPeer? {
        if case .peer(let peer) = self { return peer }
        return nil
    }

    /// Tells a TCP link translating ack times (TCPLink.simulatedEpochNs) the board's clock.
    public mutating func setBoardTime(us: UInt64) {
        guard case .tcp(var link) = self, link.simulatedEpochNs != nil else { return }
        link.boardNowUs = us
        self = .tcp(link)
    }

    public mutating func connect() throws(LinkError) -> LinkState {
        switch self {
        case .none: throw .refused
        case .tcp(var link):
            defer { self = .tcp(link) }
            return try link.connect()
        case .peer(var peer):
            defer { self = .peer(peer) }
            return try peer.connect()
        case .collector(var collector):
            defer { self = .collector(collector) }
            return try collector.connect()
        case .pipe(var pipe):
            defer { self = .pipe(pipe) }
            return try pipe.connect()
        }
    }

    public mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int {
        switch self {
        case .none: throw .notConnected
        case .tcp(var link):
            defer { self = .tcp(link) }
            return try link.send(bytes)
        case .peer(var peer):
            defer { self = .peer(peer) }
            return try peer.send(bytes)
        case .collector(var collector):
            defer { self = .collector(collector) }
            return try collector.send(bytes)
        case .pipe(var pipe):
            defer { self = .pipe(pipe) }
            return try pipe.send(bytes)
        }
    }

    public mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        switch self {
        case .none: throw .notConnected
        case .tcp(var link):
            defer { self = .tcp(link) }
            return try link.receive(into: &bytes)
        case .peer(var peer):
            defer { self = .peer(peer) }
            return try peer.receive(into: &bytes)
        case .collector(var collector):
            defer { self = .collector(collector) }
            return try collector.receive(into: &bytes)
        case .pipe(var pipe):
            defer { self = .pipe(pipe) }
            return try pipe.receive(into: &bytes)
        }
    }

    public mutating func close() {
        switch self {
        case .none: break
        case .tcp(var link):
            link.close()
            self = .tcp(link)
        case .peer(var peer):
            peer.close()
            self = .peer(peer)
        case .collector(var collector):
            collector.close()
            self = .collector(collector)
        case .pipe(var pipe):
            pipe.close()
            self = .pipe(pipe)
        }
    }
}
