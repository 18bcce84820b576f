import CrossingCore
import CrossingDevice

/// An HTTP/1.1 answer read whole: its status, `Date` and where its body is.
struct HTTPAnswer {
    var status: UInt16
    var dateS: Int64?
    var bodyStart: Int
    var bodyCount: Int
    /// The server closes, or the body did not fit: the connection cannot be reused.
    var mustClose: Bool

    /// nil until the head and the body (by `Content-Length`) are all in `bytes`; when `full`,
    /// what is there is all there will be.
    init?(_ bytes: Span<UInt8>, full: Bool) {
        var headEnd = -1
        if bytes.count >= 4 {
            for index in 0..<(bytes.count - 3)
            where bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
                headEnd = index
                break
            }
        }
        guard headEnd >= 12 else {
            guard full else { return nil }
            status = 0
            bodyStart = 0
            bodyCount = 0
            mustClose = true
            return
        }
        status = 0
        for index in 9..<12 {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { break }
            status = status * 10 + UInt16(byte - 0x30)
        }
        var contentLength = 0
        mustClose = false
        var lineStart = 0
        for index in 0...headEnd where index == headEnd || (bytes[index] == 0x0D && bytes[index + 1] == 0x0A) {
            let line = bytes.extracting(lineStart..<index)
            if Self.hasName(line, "content-length:") {
                contentLength = 0
                for offset in 15..<line.count where line[offset] >= 0x30 && line[offset] <= 0x39 {
                    contentLength = contentLength * 10 + Int(line[offset] - 0x30)
                }
            } else if Self.hasName(line, "date:") {
                var start = 5
                while start < line.count && line[start] == 0x20 { start += 1 }
                dateS = parseHTTPDate(line.extracting(start..<line.count))
            } else if Self.hasName(line, "connection: close") {
                mustClose = true
            }
            lineStart = index + 2
        }
        bodyStart = headEnd + 4
        if bodyStart + contentLength > bytes.count {
            guard full else { return nil }
            mustClose = true
        }
        bodyCount = min(contentLength, bytes.count - bodyStart)
    }

    /// Whether `line` starts with `name`, ignoring ASCII case.
    private static func hasName(_ line: Span<UInt8>, _ name: StaticString) -> Bool {
        name.withUTF8Buffer { expected in
            guard line.count >= expected.count else { return false }
            for index in 0..<expected.count where line[index] | 0x20 != expected[index] | 0x20 { return false }
            return true
        }
    }
}
