#if canImport(Glibc)
import Glibc
#endif

/// A token of a line: where it is in the input, and whether it holds an escape, so that its
/// text differs from its bytes. Keys, tag values and measurements drop the `\` of `\,`, `\=`
/// and `\ `; string field values drop the `\` of `\"` and `\\`.
struct LineToken {
    var range: Range<Int> = 0..<0
    var escaped = false

    /// The token's text, its escapes removed: `string` picks a string field value's rules.
    func bytes(in body: UnsafeBufferPointer<UInt8>, string: Bool = false) -> [UInt8] {
        guard escaped else { return Array(UnsafeBufferPointer(rebasing: body[range])) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let next = index + 1 < range.upperBound ? body[index + 1] : 0
            let drops = string ? (next == 0x22 || next == 0x5C) : ByteClass.table[Int(next)] & ByteClass.equalsCommaSpace != 0
            if body[index] == 0x5C && index + 1 < range.upperBound && drops { index += 1 }
            out.append(body[index])
            index += 1
        }
        return out
    }

    func text(in body: UnsafeBufferPointer<UInt8>, string: Bool = false) -> String {
        guard escaped else { return String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self) }
        return String(decoding: bytes(in: body, string: string), as: UTF8.self)
    }

    /// Whether two keys read the same once unescaped.
    func same(as other: LineToken, in body: UnsafeBufferPointer<UInt8>) -> Bool {
        if escaped || other.escaped { return bytes(in: body) == other.bytes(in: body) }
        return range.count == other.range.count && memcmp(body.baseAddress! + range.lowerBound, body.baseAddress! + other.range.lowerBound, range.count) == 0
    }

    /// Whether the key reads `name`.
    func reads(_ name: StaticString, in body: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !escaped else { return bytes(in: body).elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)) }
        return range.count == name.utf8CodeUnitCount && memcmp(body.baseAddress! + range.lowerBound, name.utf8Start, range.count) == 0
    }
}

/// A field value as it lies in the input: numbers parsed, a string left where it is.
enum FieldView {
    case float(Double)
    case int(Int64)
    case uint(UInt64)
    case bool(Bool)
    case string(LineToken)

    var type: FieldType {
        switch self {
        case .float: .float
        case .int: .int
        case .uint: .uint
        case .bool: .bool
        case .string: .string
        }
    }

    func value(in body: UnsafeBufferPointer<UInt8>) -> FieldValue {
        switch self {
        case .float(let value): .float(value)
        case .int(let value): .int(value)
        case .uint(let value): .uint(value)
        case .bool(let value): .bool(value)
        case .string(let token): .string(token.text(in: body, string: true))
        }
    }
}

/// One point of a line, parsed in place: ranges of the input and parsed numbers. The scanner
/// refills the same arrays for every line, so they keep their capacity and a line allocates
/// nothing; a view is read while its input is at hand, during the scan.
struct PointView {
    var measurement = LineToken()
    /// Tags in the order written.
    var tags: [(key: LineToken, value: LineToken)] = []
    /// Fields in the order first written; a key written twice keeps its last value.
    var fields: [(key: LineToken, value: FieldView)] = []
    /// Nanoseconds since 1970, after precision; nil when the line has none.
    var timestampNs: Int64?
    /// The measurement and tags as written: the bytes the point's series is known by.
    var seriesKey: Range<Int> = 0..<0

    /// The tag `name`, if the point has it.
    func tag(_ name: StaticString, in body: UnsafeBufferPointer<UInt8>) -> LineToken? {
        tags.first { $0.key.reads(name, in: body) }?.value
    }

    /// The integer field `name`, if the point has one.
    func intField(_ name: StaticString, in body: UnsafeBufferPointer<UInt8>) -> Int64? {
        for field in fields where field.key.reads(name, in: body) {
            if case .int(let value) = field.value { return value }
        }
        return nil
    }

    func parsedPoint(in body: UnsafeBufferPointer<UInt8>) -> ParsedPoint {
        ParsedPoint(
            measurement: measurement.text(in: body), tags: tags.map { ($0.key.text(in: body), $0.value.text(in: body)) },
            fields: fields.map { ($0.key.text(in: body), $0.value.value(in: body)) }, timestampNs: timestampNs)
    }
}
