/// A field value of the InfluxDB line protocol, by type.
public enum FieldValue: Equatable, Sendable {
    case float(Double)
    case int(Int64)
    case uint(UInt64)
    case bool(Bool)
    case string(String)

    public var type: FieldType {
        switch self {
        case .float: .float
        case .int: .int
        case .uint: .uint
        case .bool: .bool
        case .string: .string
        }
    }
}

/// The five field types, by the names `lint --json` and the parser's errors use.
public enum FieldType: String, Sendable {
    case float, int, uint, bool, string
}

/// One point of a line, parsed.
public struct ParsedPoint: Equatable, Sendable {
    public var measurement: String
    /// Tags in the order written.
    public var tags: [(key: String, value: String)]
    /// Fields in the order first written; a key written twice keeps its last value.
    public var fields: [(key: String, value: FieldValue)]
    /// Nanoseconds since 1970, after precision; nil when the line has none.
    public var timestampNs: Int64?

    public init(
        measurement: String, tags: [(key: String, value: String)], fields: [(key: String, value: FieldValue)], timestampNs: Int64?
    ) {
        self.measurement = measurement
        self.tags = tags
        self.fields = fields
        self.timestampNs = timestampNs
    }

    public static func == (lhs: ParsedPoint, rhs: ParsedPoint) -> Bool {
        lhs.measurement == rhs.measurement && lhs.tags.map(\.key) == rhs.tags.map(\.key)
            && lhs.tags.map(\.value) == rhs.tags.map(\.value) && lhs.fields.map(\.key) == rhs.fields.map(\.key)
            && lhs.fields.map(\.value) == rhs.fields.map(\.value) && lhs.timestampNs == rhs.timestampNs
    }
}

/// Where a line is bad, and why: the 1-based line of the input, the 1-based column (byte) in
/// that line, and the reason.
public struct LineProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}

/// Timestamp precision of a write, as InfluxDB 1.x's `precision` parameter.
public enum Precision: String, CaseIterable, Sendable {
    case ns = "n"
    case us = "u"
    case ms = "ms"
    case s = "s"
    case m = "m"
    case h = "h"

    /// InfluxDB reads any other value, `us` and `ns` included, as nanoseconds.
    public init(parameter: String?) {
        self = parameter.flatMap(Precision.init(rawValue:)) ?? .ns
    }

    var nanoseconds: Int64 {
        switch self {
        case .ns: 1
        case .us: 1_000
        case .ms: 1_000_000
        case .s: 1_000_000_000
        case .m: 60_000_000_000
        case .h: 3_600_000_000_000
        }
    }
}
