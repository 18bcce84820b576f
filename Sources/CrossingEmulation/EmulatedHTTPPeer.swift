import CrossingDevice
import Foundation

/// An InfluxDB 1.x `/write` endpoint in memory, as the device's link: it answers `GET /ping`
/// and `POST /write` with 204 and a `Date` from its own clock, and keeps the points as
/// InfluxDB does, one per series and timestamp, a later write replacing an earlier one. It can
/// be taken down (connections refused, the one open reset) and brought back.
public struct EmulatedHTTPPeer: Link {
    /// Wall time at the peer, seconds since 1970; the host moves it along.
    public var nowS: Int64
    /// While down, connections are refused and an open one breaks.
    public var down = false
    /// Answers every write 400 with an InfluxDB error body, storing nothing.
    public var refuseWrites = false
    /// What was written, as InfluxDB keeps it.
    public private(set) var store = PointStore()
    public private(set) var requests = 0
    private var connected = false
    private var inbound: [UInt8] = []
    private var outbound: [UInt8] = []

    public init(nowS: Int64) {
        self.nowS = nowS
    }

    public mutating func connect() throws(LinkError) -> LinkState {
        if down {
            connected = false
            throw .refused
        }
        connected = true
        return .connected
    }

    public mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int {
        guard connected else { throw .notConnected }
        if down {
            close()
            throw .reset
        }
        for index in bytes.indices { inbound.append(bytes[index]) }
        serve()
        return bytes.count
    }

    public mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        guard connected else { throw .notConnected }
        if down {
            close()
            throw .reset
        }
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

    /// Answers every whole request that has arrived.
    private mutating func serve() {
        while let headEnd = findHeadEnd() {
            let head = String(decoding: inbound[..<headEnd], as: UTF8.self)
            let lines = head.components(separatedBy: "\r\n")
            let length = lines.first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            guard inbound.count >= headEnd + 4 + length else { return }
            let body = Array(inbound[(headEnd + 4)..<(headEnd + 4 + length)])
            inbound.removeFirst(headEnd + 4 + length)
            requests += 1
            let write = lines.first?.hasPrefix("POST /write") == true
            if write && refuseWrites {
                let error = #"{"error":"partial write: field type conflict"}"#
                outbound += Array(
                    "HTTP/1.1 400 Bad Request\r\nDate: \(Self.httpDate(nowS))\r\nContent-Length: \(error.utf8.count)\r\n\r\n\(error)".utf8)
                continue
            }
            if write { store.store(body) }
            outbound += Array("HTTP/1.1 204 No Content\r\nDate: \(Self.httpDate(nowS))\r\n\r\n".utf8)
        }
    }

    static func httpDate(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    private func findHeadEnd() -> Int? {
        guard inbound.count >= 4 else { return nil }
        for index in 0..<(inbound.count - 3)
        where inbound[index] == 13 && inbound[index + 1] == 10 && inbound[index + 2] == 13 && inbound[index + 3] == 10 {
            return index
        }
        return nil
    }
}
