/// One client connection of the collector's servers, and everything it holds: bounded buffers
/// in and out, the device batch being read, and the answer held until the log is synced.
final class Connection {
    enum Kind { case device, http }

    /// An answer that waits for the group commit.
    enum Held {
        /// `ack LAST TIME_NS`, the time taken when it is sent.
        case ack(Int64)
        case bytes([UInt8])
    }

    let fd: Int32
    let kind: Kind
    let peer: String
    var inbound: [UInt8] = []
    /// Bytes of `inbound` already handled.
    var consumed = 0
    var outbound: [UInt8] = []
    var written = 0
    var lastActivityMs: Int64
    /// When the request or batch now being read began; nil between them.
    var unitStartMs: Int64?
    var held: Held?
    /// Close once `outbound` is written.
    var closing = false
    /// The client has finished sending: handle what it sent, answer, then close.
    var peerClosed = false
    /// Bytes arrived, or a held answer went out, since the buffer was last handled.
    var fresh = false
    /// Device protocol: the lines since the last trailer.
    var batch: [UInt8] = []

    init(fd: Int32, kind: Kind, peer: String, nowMs: Int64) {
        self.fd = fd
        self.kind = kind
        self.peer = peer
        self.lastActivityMs = nowMs
    }

    var unread: Int { inbound.count - consumed }
    var wantsWrite: Bool { written < outbound.count }

    func send(_ bytes: [UInt8]) {
        outbound += bytes
    }

    /// Drops handled bytes from the buffers' fronts.
    func compact() {
        if consumed > 0 {
            inbound.removeFirst(consumed)
            consumed = 0
        }
        if written > 0 && written == outbound.count {
            outbound.removeAll(keepingCapacity: outbound.capacity <= 1 << 16)
            written = 0
        }
    }
}
