#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 client on sockets, one request per connection: what the relay
/// needs to POST lines, and what the tests and tools need to talk to a collector.
public enum HTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `http://HOST:PORT/PATH?QUERY` split into the address and the request target.
    public static func split(_ url: String) throws(CollectorError) -> (address: String, target: String) {
        guard url.hasPrefix("http://") else { throw CollectorError("'\(url)': only http:// URLs are supported") }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var address = String(rest[..<slash])
        if !address.contains(":") { address += ":80" }
        let target = slash == rest.endIndex ? "/" : String(rest[slash...])
        return (address, target)
    }

    /// Sends one request and reads the whole response, waiting at most `timeoutMs` for each step.
    public static func request(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8] = [], timeoutMs: Int = 10_000
    ) throws(CollectorError) -> Response {
        let (addressText, target) = try split(url)
        var address = try Socket.address(addressText)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw .system("connect \(addressText)") }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(addressText)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .system("send to \(addressText)") }
            sent += count
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw .system("receive from \(addressText)") }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return try parse(bytes, from: addressText)
    }

    static func parse(_ bytes: [UInt8], from address: String) throws(CollectorError) -> Response {
        guard let headerEnd = HTTPRequestReader.find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes, from: 0, limit: 64 << 10) else {
            throw CollectorError("\(address): response ended before its headers (\(bytes.count) bytes)")
        }
        let lines = String(decoding: bytes[..<headerEnd], as: UTF8.self).split(separator: "\r\n")
        let statusLine = lines.first?.split(separator: " ") ?? []
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw CollectorError("\(address): malformed status line") }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), String(line[line.index(after: colon)...].trimmingWhitespace()))
        }
        var body = Array(bytes[(headerEnd + 4)...])
        if headers.contains(where: { $0.name == "transfer-encoding" && $0.value.lowercased() == "chunked" }) {
            let reader = HTTPRequestReader(headerBytesMax: 64 << 10, bodyBytesMax: Int.max / 2)
            guard let (decoded, _) = try? reader.dechunk(body, from: 0) else { throw CollectorError("\(address): malformed chunked body") }
            body = decoded
        }
        return Response(status: status, headers: headers, body: body)
    }
}
