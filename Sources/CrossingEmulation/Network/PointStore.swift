/// Points as InfluxDB 1.x keeps them: one per series and timestamp, a later write replacing
/// an earlier one. The in-memory peers store what they receive here.
public struct PointStore: Sendable {
    /// A stored point: measurement, tags, integer fields, timestamp.
    public struct Point: Equatable, Sendable {
        public var measurement: String
        public var tags: [String: String]
        public var fields: [String: Int64]
        public var timestampNs: Int64
    }

    /// Points by series key and timestamp.
    public private(set) var points: [String: Point] = [:]
    /// Writes that carried a point already stored (a resend the device could not know landed).
    public private(set) var rewrites = 0

    public init() {}

    /// The sum of `field` over the points of `measurement` whose tags match `tags`.
    public func sum(_ measurement: String, _ field: String, where tags: [String: String]) -> Int64 {
        points.values.filter { point in
            point.measurement == measurement && tags.allSatisfy { point.tags[$0.key] == $0.value }
        }.reduce(0) { $0 + ($1.fields[field] ?? 0) }
    }

    /// Stores the lines of a body. Lines here carry no escapes: the tests' names are plain.
    public mutating func store(_ body: [UInt8]) {
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
