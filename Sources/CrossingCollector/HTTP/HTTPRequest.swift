/// One HTTP/1.1 request, as the collector's server reads it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path, without the query.
    public var path: String
    /// Query parameters, percent-decoded; the last of a repeated name wins.
    public var query: [String: String]
    /// Header names lowercased, in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether the connection stays open after the response (HTTP/1.1 unless `Connection: close`).
    public var keepAlive: Bool

    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// A request the reader could not take, and the status that says why.
public struct HTTPError: Error, Sendable {
    public var status: Int
    public var message: String
}

/// Reads requests incrementally from a connection's bytes, within fixed limits on the header
/// section and the body, so that no client can make it buffer without bound.
public struct HTTPRequestReader: Sendable {
    public var headerBytesMax: Int
    public var bodyBytesMax: Int

    public init(headerBytesMax: Int, bodyBytesMax: Int) {
        self.headerBytesMax = headerBytesMax
        self.bodyBytesMax = bodyBytesMax
    }

    /// The next whole request in `bytes[start...]` and the bytes it took; nil when more bytes
    /// are needed. Throws when the request breaks a limit or the protocol: the connection must
    /// answer with the error's status and close.
    public func next(_ bytes: [UInt8], from start: Int) throws(HTTPError) -> (request: HTTPRequest, consumed: Int)? {
        guard let headerEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes, from: start, limit: headerBytesMax) else {
            if bytes.count - start > headerBytesMax {
                throw HTTPError(status: 431, message: "header section over \(headerBytesMax) bytes")
            }
            return nil
        }
        let head = String(decoding: bytes[start..<headerEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw HTTPError(status: 400, message: "malformed request line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPError(status: 400, message: "malformed header line") }
            headers.append((line[..<colon].lowercased(), String(line[line.index(after: colon)...].trimmingWhitespace())))
        }
        let target = requestLine[1]
        let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
        var request = HTTPRequest(
            method: String(requestLine[0]), path: String(target[..<pathEnd]),
            query: Self.query(target[pathEnd...].dropFirst()), headers: headers, body: [],
            keepAlive: requestLine[2] != "HTTP/1.0")
        if let connection = request.header("connection")?.lowercased() {
            if connection == "close" { request.keepAlive = false }
            if connection == "keep-alive" { request.keepAlive = true }
        }
        let bodyStart = headerEnd + 4
        if request.header("transfer-encoding")?.lowercased() == "chunked" {
            guard let (body, end) = try dechunk(bytes, from: bodyStart) else { return nil }
            request.body = body
            return (request, end - start)
        }
        let length: Int
        if let text = request.header("content-length") {
            guard let value = Int(text), value >= 0 else { throw HTTPError(status: 400, message: "bad Content-Length '\(text)'") }
            length = value
        } else {
            length = 0
        }
        guard length <= bodyBytesMax else {
            throw HTTPError(status: 413, message: "body of \(length) bytes over the limit of \(bodyBytesMax)")
        }
        guard bytes.count - bodyStart >= length else { return nil }
        request.body = Array(bytes[bodyStart..<(bodyStart + length)])
        return (request, bodyStart + length - start)
    }

    /// The body of a chunked request and where it ends, or nil while incomplete.
    ///
    /// The chunk headers are walked first without copying anything, so a body declared past
    /// the limit is refused as soon as the header that crosses it arrives, and the bytes are
    /// copied once, when the body is whole.
    func dechunk(_ bytes: [UInt8], from start: Int) throws(HTTPError) -> ([UInt8], Int)? {
        var chunks: [Range<Int>] = []
        var declared = 0
        var index = start
        while true {
            guard let lineEnd = Self.find([0x0D, 0x0A], in: bytes, from: index, limit: 1024) else {
                if bytes.count - index > 1024 { throw HTTPError(status: 400, message: "malformed chunk size line") }
                return nil
            }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingWhitespace(), radix: 16), size >= 0 else {
                throw HTTPError(status: 400, message: "malformed chunk size '\(sizeText)'")
            }
            declared += size
            guard declared <= bodyBytesMax else {
                throw HTTPError(status: 413, message: "body over the limit of \(bodyBytesMax) bytes")
            }
            let dataStart = lineEnd + 2
            if size == 0 {
                // Trailer fields are allowed and ignored; the body ends at an empty line.
                guard let end = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: bytes, from: lineEnd, limit: headerBytesMax) else { return nil }
                var body: [UInt8] = []
                body.reserveCapacity(declared)
                for chunk in chunks { body += bytes[chunk] }
                return (body, end + 4)
            }
            guard bytes.count - dataStart >= size + 2 else { return nil }
            guard bytes[dataStart + size] == 0x0D, bytes[dataStart + size + 1] == 0x0A else {
                throw HTTPError(status: 400, message: "chunk not followed by CRLF")
            }
            chunks.append(dataStart..<(dataStart + size))
            index = dataStart + size + 2
        }
    }

    /// The index of `pattern` in `bytes` from `start`, looking no further than `limit` bytes.
    static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int, limit: Int) -> Int? {
        let end = min(bytes.count, start + limit + pattern.count)
        guard end - start >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= end {
            if bytes[index] == pattern[0] {
                var matched = true
                for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    static func query(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[percentDecoded(parts[0])] = parts.count > 1 ? percentDecoded(parts[1]) : ""
        }
        return result
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == 0x25, utf8.count >= 2, let high = DeviceKeys.hexDigit(utf8[utf8.startIndex]),
                let low = DeviceKeys.hexDigit(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte == 0x2B ? 0x20 : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
