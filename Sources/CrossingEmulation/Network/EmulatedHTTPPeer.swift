import CrossingDevice
import Foundation

/// An InfluxDB 1.x `/write` endpoint in memory, as the device's link: it answers `GET /ping`
/// and `POST /write` with 204 and a `Date` from its own clock, and keeps the points as
/// InfluxDB does, one per series and timestamp, a later write replacing an earlier one. It can
/// be taken down (connections refused, the one open reset) and brought back.
public struct EmulatedHTTPPeer: InMemoryPeer {
    /// Wall time at the peer, seconds since 1970; the host moves it along.
    public var nowS: Int64
    /// While down, connections are refused and an open one breaks.
    public var down: Bool {
        get { connection.down }
        set { connection.down = newValue }
    }
    /// Answers every write 400 with an InfluxDB error body, storing nothing.
    public var refuseWrites = false
    /// What was written, as InfluxDB keeps it.
    public private(set) var store = PointStore()
    public private(set) var requests = 0
    public var connection = PeerConnection()

    public init(nowS: Int64) {
        self.nowS = nowS
    }

    /// Requests are whole or not at all: nothing half received is kept.
    public mutating func connectionLost() {}

    /// Answers every whole request that has arrived.
    public mutating func serve() {
        while let headEnd = findHeadEnd() {
            let head = String(decoding: connection.inbound[..<headEnd], as: UTF8.self)
            let lines = head.components(separatedBy: "\r\n")
            let length = lines.first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            guard connection.inbound.count >= headEnd + 4 + length else { return }
            let body = Array(connection.inbound[(headEnd + 4)..<(headEnd + 4 + length)])
            connection.inbound.removeFirst(headEnd + 4 + length)
            requests += 1
            let write = lines.first?.hasPrefix("POST /write") == true
            if write && refuseWrites {
                let error = #"{"error":"partial write: field type conflict"}"#
                connection.outbound += Array(
                    "HTTP/1.1 400 Bad Request\r\nDate: \(Self.httpDate(nowS))\r\nContent-Length: \(error.utf8.count)\r\n\r\n\(error)".utf8)
                continue
            }
            if write { store.store(body) }
            connection.outbound += Array("HTTP/1.1 204 No Content\r\nDate: \(Self.httpDate(nowS))\r\n\r\n".utf8)
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
        guard connection.inbound.count >= 4 else { return nil }
        for index in 0..<(connection.inbound.count - 3)
        where connection.inbound[index] == 13 && connection.inbound[index + 1] == 10 && connection.inbound[index + 2] == 13 && connection.inbound[index + 3] == 10 {
            return index
        }
        return nil
    }
}
