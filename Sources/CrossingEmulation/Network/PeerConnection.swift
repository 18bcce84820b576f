import CrossingDevice

/// The connection an in-memory peer holds with the device: bytes each way, and whether the
/// peer is down (connections refused, an open one broken). The peers read `inbound` and write
/// `outbound`; the device's link calls go through here.
public struct PeerConnection: Sendable {
    public var down = false
    public var inbound: [UInt8] = []
    public var outbound: [UInt8] = []
    private var connected = false

    public init() {}

    public var isConnected: Bool { connected }

    public mutating func connect() throws(LinkError) -> LinkState {
        if down {
            connected = false
            throw .refused
        }
        connected = true
        return .connected
    }

    /// Takes what the device sent into `inbound`.
    public mutating func take(_ bytes: Span<UInt8>) throws(LinkError) {
        try check()
        for index in bytes.indices { inbound.append(bytes[index]) }
    }

    public mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        try check()
        let count = min(bytes.count, outbound.count)
        for index in 0..<count { bytes[index] = outbound[index] }
        outbound.removeFirst(count)
        return count
    }

    public mutating func close() {
        connected = false
        inbound = []
        outbound = []
    }

    private mutating func check() throws(LinkError) {
        guard connected else { throw .notConnected }
        if down {
            close()
            throw .reset
        }
    }
}

/// An in-memory peer that is itself the device's link: the link's calls go to its connection,
/// and what arrives is served at once.
public protocol InMemoryPeer: Link {
    /// The connection with the device.
    var connection: PeerConnection { get set }
    /// Answers every whole request or batch that has arrived.
    mutating func serve()
    /// The connection broke or closed: anything half received is gone with it.
    mutating func connectionLost()
}

extension InMemoryPeer {
    public mutating func connect() throws(LinkError) -> LinkState {
        try connection.connect()
    }

    public mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int {
        do throws(LinkError) {
            try connection.take(bytes)
        } catch {
            connectionLost()
            throw error
        }
        serve()
        return bytes.count
    }

    public mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        try connection.receive(into: &bytes)
    }

    public mutating func close() {
        connection.close()
        connectionLost()
    }
}
