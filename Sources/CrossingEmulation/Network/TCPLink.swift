import CrossingDevice
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP connection to one host and port, as the firmware's `Link`. No call
/// waits: `connect` starts a connection and reports how it stands, `send` and `receive` take
/// what the socket takes now.
public struct TCPLink: Link {
    public let host: String
    public let port: UInt16
    private var socket = Socket()
    /// Set when the board runs faster (or slower) than real time: the wall time in each
    /// collector's `ack LAST TIME_NS`, and in each HTTP answer's `Date:` header, becomes this
    /// epoch plus the board's clock (`boardNowUs`), so the device stamps its bins in simulated
    /// time rather than in the target's real time.
    public var simulatedEpochNs: Int64?
    /// The board's clock; the board sets it before each turn of its main loop.
    public var boardNowUs: UInt64 = 0
    /// Received bytes short of a whole answer line, and whole lines ready for the firmware,
    /// while the acks are translated.
    private var partial: [UInt8] = []
    private var translated: [UInt8] = []

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// `tcp://host:port`, or nil when `url` is not one.
    public init?(url: String) {
        guard url.hasPrefix("tcp://") else { return nil }
        let rest = url.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]),
            colon > rest.startIndex
        else { return nil }
        self.init(host: String(rest[..<colon]), port: port)
    }

    public mutating func connect() throws(LinkError) -> LinkState {
        if socket.descriptor < 0 {
            try start()
            return socket.connected ? .connected : .connecting
        }
        if socket.connected { return .connected }
        var poller = pollfd(fd: socket.descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return .connecting }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(socket.descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
        guard error == 0 else {
            close()
            throw .refused
        }
        socket.connected = true
        return .connected
    }

    public mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int {
        guard socket.connected else { throw .notConnected }
        let sent = bytes.withUnsafeBytes { Glibc.send(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        if sent >= 0 { return sent }
        if errno == EAGAIN || errno == EWOULDBLOCK { return 0 }
        close()
        throw .reset
    }

    public mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        guard socket.connected else { throw .notConnected }
        if let epochNs = simulatedEpochNs { return try receiveTranslated(into: &bytes, epochNs: epochNs) }
        let received = bytes.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if received > 0 { return received }
        if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return 0 }
        close()
        throw .reset
    }

    /// Hands over whole answer lines only, each ack's time replaced by the simulated one.
    private mutating func receiveTranslated(into bytes: inout MutableSpan<UInt8>, epochNs: Int64) throws(LinkError) -> Int {
        if translated.isEmpty {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let received = chunk.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if received == 0 || received < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                close()
                throw .reset
            }
            partial += chunk.prefix(max(0, received))
            while let newline = partial.firstIndex(of: 0x0A) {
                translated += Self.translate(Array(partial[..<newline]), wallNs: epochNs &+ Int64(boardNowUs) &* 1000) + [0x0A]
                partial.removeFirst(newline + 1)
            }
        }
        let count = min(bytes.count, translated.count)
        for index in 0..<count { bytes[index] = translated[index] }
        translated.removeFirst(count)
        return count
    }

    /// `ack LAST TIME_NS [INCARNATION]` and an HTTP `Date:` header (its `\r` kept) with
    /// `wallNs` for their time; any other line as it is.
    public static func translate(_ line: [UInt8], wallNs: Int64) -> [UInt8] {
        if line.count >= 5 && String(decoding: line.prefix(5), as: UTF8.self).lowercased() == "date:" {
            return Array("Date: \(EmulatedHTTPPeer.httpDate(wallNs / 1_000_000_000))".utf8) + (line.last == 0x0D ? [0x0D] : [])
        }
        var fields = line.split(separator: 0x20)
        guard fields.count == 3 || fields.count == 4, fields[0].elementsEqual("ack".utf8) else { return line }
        fields[2] = ArraySlice("\(wallNs)".utf8)
        return Array(fields.joined(separator: [0x20]))
    }

    public mutating func close() {
        socket = Socket()
        partial = []
        translated = []
    }

    private mutating func start() throws(LinkError) {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else { throw .refused }
        defer { freeaddrinfo(found) }
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw .refused }
        socket = Socket(descriptor: descriptor)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
            socket.connected = true
        } else if errno != EINPROGRESS {
            close()
            throw .refused
        }
    }
}

/// The socket behind a `TCPLink`, closed when the last copy of the link lets go of it.
private final class Socket {
    let descriptor: Int32
    var connected = false

    init(descriptor: Int32 = -1) {
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }
}
