import CrossingDevice
import Foundation

/// An InfluxDB 1.x `/write` endpoint in memory, as the device's link: it answers `GET /ping`
/// and `POST /write` with 204 and a `Date` from its own clock, and keeps the points as
/// InfluxDB does, one per series and timestamp, a later write replacing an earlier one. It can
/// be taken down (connections refused, the one open reset) and brought back.
public struct EmulatedHTTPPeer: Link {
    /// A stored point: measurement, tags in the order sent, integer fields, timestamp.
    public struct Point: Equatable, Sendable {
        public var measurement: String
        public var tags: [String: String]
        public var fields: [String: Int64]
        public var timestampNs: Int64
    }

    /// Wall time at the peer, seconds since 1970; the host moves it along.
    public var nowS: Int64
    /// While down, connections are refused and an open one breaks.
    public var down = false
    /// Points by series key and timestamp.
    public private(set) var points: [String: Point] = [:]
    /// Writes that carried a point already stored (a resend the device could not know landed).
    public private(set) var rewrites = 0
    public private(set) var requests = 0
    private var connected = false
    private var inbound: [UInt8] = []
    private var outbound: [UInt8] = []

    public init(nowS: Int64) {
        self.nowS = nowS
    }

    /// The sum of `field` over the points of `measurement` whose tags match `tags`.
    public func sum(_ measurement: String, _ field: String, where tags: [String: String]) -> Int64 {
        points.values.filter { point in
            point.measurement == measurement && tags.allSatisfy { point.tags[$0.key] == $0.value }
        }.reduce(0) { $0 + ($1.fields[field] ?? 0) }
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
            if lines.first?.hasPrefix("POST /write") == true { store(body) }
            let date = Date(timeIntervalSince1970: TimeInterval(nowS))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            outbound += Array("HTTP/1.1 204 No Content\r\nDate: \(formatter.string(from: date))\r\n\r\n".utf8)
        }
    }

    private func findHeadEnd() -> Int? {
        guard inbound.count >= 4 else { return nil }
        for index in 0..<(inbound.count - 3)
        where inbound[index] == 13 && inbound[index + 1] == 10 && inbound[index + 2] == 13 && inbound[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// Stores the lines of a body. Lines here carry no escapes: the tests' names are plain.
    private mutating func store(_ body: [UInt8]) {
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") {
            let sections = line.split(separator: " ")
            guard sections.count == 3, let timestampNs = Int64(sections[2]) else { continue }
            let key = sections[0].split(separator: ",")
            var tags: [String: String] = [:]
            for tag in key.dropFirst() {
                let pair = tag.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { tags[String(pair[0])] = String(pair[1]) }
            }
            var fields: [String: Int64] = [:]
            for field in sections[1].split(separator: ",") {
                let pair = field.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[1].hasSuffix("i"), let value = Int64(pair[1].dropLast()) { fields[String(pair[0])] = value }
            }
            let series = "\(sections[0]) \(timestampNs)"
            if points[series] != nil { rewrites += 1 }
            points[series] = Point(measurement: String(key[0]), tags: tags, fields: fields, timestampNs: timestampNs)
        }
    }
}
