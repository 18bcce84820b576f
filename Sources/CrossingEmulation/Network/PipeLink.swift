import CrossingDevice

/// A network link whose far end is whoever moves its bytes: `checkpoint-dst` carries them to
/// and from the collector, and decides what the network does to them on the way (loss, delay,
/// duplication, reordering, partitions). The device sees a stream connection that it opens,
/// writes, reads and closes, as over TCP.
public struct PipeLink: Link {
    private var peer = PeerConnection()
    /// Connections opened so far: the far end tells a new one from the old.
    public private(set) var connection = 0

    /// A link whose first connection is numbered after `connectionsBefore`: a unit fitted in
    /// place of another, whose late answers must not reach the new one's connections.
    public init(connectionsBefore: Int = 0) {
        connection = connectionsBefore
    }

    /// While partitioned, connections are refused and an open one breaks.
    public var partitioned: Bool {
        get { peer.down }
        set { peer.down = newValue }
    }

    public var isConnected: Bool { peer.isConnected }
    /// Bytes the device sent on the open connection, not yet taken by the far end.
    public var sent: [UInt8] { peer.inbound }
    /// Bytes on their way to the device on the open connection.
    public var toDevice: [UInt8] { peer.outbound }

    /// The far end takes what the device has sent.
    public mutating func takeSent() -> [UInt8] {
        defer { peer.inbound = [] }
        return peer.inbound
    }

    /// The far end answers on the open connection; nothing when it is closed.
    public mutating func answer(_ bytes: [UInt8]) {
        if peer.isConnected { peer.outbound += bytes }
    }

    /// The far end, or the network, breaks the open connection.
    public mutating func breakConnection() {
        peer.close()
    }

    public mutating func connect() throws(LinkError) -> LinkState {
        peer.close()
        let state = try peer.connect()
        connection += 1
        return state
    }

    public mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int {
        try peer.take(bytes)
        return bytes.count
    }

    public mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        try peer.receive(into: &bytes)
    }

    public mutating func close() {
        peer.close()
    }
}
