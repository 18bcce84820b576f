/// One client connection of the collector's servers, and everything it holds: bounded buffers
/// in and out, the device batch being read, and the answer held until the log is synced.
final class Connection {
    enum Kind { case device, http }

    /// An answer that waits for the group commit.
    enum Held {
        /// `ack LAST TIME_NS [INCARNATION]`, the time taken when it is sent.
        case ack(Int64, incarnation: Int64?)
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
    /// The log writer's generation the held answer waits for.
    var heldGeneration = 0
    /// The page being built for it on the page worker: nothing more is read until it is sent.
    var pageTicket: Int?
    /// Close once `outbound` is written.
    var closing = false
    /// The client has finished sending: handle what it sent, answer, then close.
    var peerClosed = false
    /// Bytes arrived, or a held answer went out, since the buffer was last handled.
    var fresh = false
    /// Written out and shut for writing, the connection is read and the bytes dropped until
    /// the client closes or this time passes. Closing at once with unread bytes would make the
    /// kernel send a reset, which can destroy the error answer before the client reads it.
    var lingerUntilMs: Int64?
    /// A reset or a failed write: nothing more can go either way.
    var broken = false
    /// Device protocol: the lines since the last trailer.
    var batch: [UInt8] = []
    /// What the poller watches its socket for (Poller.readable, .writable).
    var interest: UInt32 = 0

    init(fd: Int32, kind: Kind, peer: String, nowMs: Int64) {
        self.fd = fd
        self.kind = kind
        self.peer = peer
        self.lastActivityMs = nowMs
    }

    var unread: Int { inbound.count - consumed }
    var wantsWrite: Bool { written < outbound.count }
    /// Bytes received and not yet handled or stored: what this connection costs in memory.
    var bufferedBytes: Int { unread + batch.count }
    /// Answers not yet taken by the client. A client that sends requests without reading the
    /// answers is not read from past `outboundBytesMax`, so its answers cannot pile up.
    var outboundPending: Int { outbound.count - written }
    static let outboundBytesMax = 1 << 20

    /// Whether what it sent can be handled now: nothing held for the group commit or a page,
    /// not closing, and its earlier answers taken.
    var canHandle: Bool { held == nil && pageTicket == nil && !closing && outboundPending < Self.outboundBytesMax }

    /// Waiting for an answer: the group commit's, or a page's.
    var waiting: Bool { held != nil || pageTicket != nil }

    func send(_ bytes: [UInt8]) {
        outbound += bytes
    }

    /// Drops handled bytes from the buffers' fronts, and gives back the memory of a buffer
    /// that once held a large request and now holds little.
    ///
    /// Handled bytes are dropped only once they are at least half the buffer (or all of it):
    /// shifting the unread rest forward after every request would cost its length each time,
    /// so a connection pipelining many small requests behind a large one would pay again and
    /// again for the same bytes. This way each byte is moved at most about once.
    func compact() {
        if consumed > 0 && consumed == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            consumed = 0
        } else if consumed > 0 && consumed >= inbound.count / 2 {
            inbound.removeFirst(consumed)
            consumed = 0
        }
        if inbound.capacity > Self.keptCapacityBytes && inbound.count < inbound.capacity / 4 { inbound = Array(inbound) }
        if batch.capacity > Self.keptCapacityBytes && batch.count < batch.capacity / 4 { batch = Array(batch) }
        if written > 0 && written == outbound.count {
            outbound.removeAll(keepingCapacity: outbound.capacity <= Self.keptCapacityBytes)
            written = 0
        }
    }

    static let keptCapacityBytes = 256 << 10
}
