import CrossingDevice

/// The connection an in-memory peer holds with the device: bytes each way, and whether the
/// peer is down (connections refused, an open one broken). The peers read `inbound` and write
/// `outbound`; the device's link calls go through here.
struct PeerConnection {
    var down = false
    var inbound: [UInt8] = []
    var outbound: [UInt8] = []
    private var connected = false

    var isConnected: Bool { connected }

    mutating func connect() throws(LinkError) -> LinkState {
        if down {
            connected = false
            throw .refused
        }
        connected = true
        return .connected
    }

    /// Takes what the device sent into `inbound`.
    mutating func take(_ bytes: Span<UInt8>) throws(LinkError) {
        try check()
        for index in bytes.indices { inbound.append(bytes[index]) }
    }

    mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        try check()
        let count = min(bytes.count, outbound.count)
        for index in 0..<count { bytes[index] = outbound[index] }
        outbound.removeFirst(count)
        return count
    }

    mutating func close() {
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
