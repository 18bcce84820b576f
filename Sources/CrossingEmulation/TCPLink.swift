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
        let received = bytes.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if received > 0 { return received }
        if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return 0 }
        close()
        throw .reset
    }

    public mutating func close() {
        socket = Socket()
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
