/// A parser for the whole InfluxDB line protocol, written from the spec and from InfluxDB
/// 1.x's `models/points.go` (docs/line-protocol.md has the rules that matter here).
///
/// A body splits into lines at `\n`, except inside a quoted string field. Blank lines and
/// lines starting with `#` are skipped. Each remaining line is a point or an error naming its
/// line, column and reason; the good lines of a body are kept whatever the bad ones do, as in
/// InfluxDB's partial write.
public enum LineParser {
    /// Series key plus field key, at most, as InfluxDB limits them.
    public static let keyBytesMax = 65_535

    /// The times InfluxDB can store: the two lowest int64 values and the highest are reserved.
    public static let timestampRangeNs: ClosedRange<Int64> = (Int64.min + 2)...(Int64.max - 1)

    /// One parsed line of the input.
    public struct Line: Sendable {
        /// 1-based line number in the input (counting every `\n` outside a string).
        public var number: Int
        /// Where the line's bytes are in the input, without its `\n`.
        public var bytes: Range<Int>
        public var result: Result<ParsedPoint, LineProtocolError>
    }

    /// Parses every line of `body`, skipping blank and comment lines.
    public static func parse(_ body: [UInt8], precision: Precision = .ns) -> [Line] {
        body.withUnsafeBufferPointer { buffer in
            var lines: [Line] = []
            var start = 0
            var number = 1
            while start <= buffer.count {
                let (end, innerNewlines) = lineEnd(buffer, from: start)
                var first = start
                while first < end && (buffer[first] == 0x20 || buffer[first] == 0x09) { first += 1 }
                if first < end && buffer[first] != 0x23 {
                    let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                    lines.append(Line(number: number, bytes: start..<end, result: parse(line: line, number: number, precision: precision)))
                }
                number += 1 + innerNewlines
                start = end + 1
            }
            return lines
        }
    }

    /// The index of the `\n` that ends the line starting at `start` (or the end of `body`),
    /// and how many `\n`s inside strings it passed. A quote opens a string only in the fields,
    /// after an `=` that no `,` has followed, as InfluxDB's scanner decides it.
    static func lineEnd(_ body: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, innerNewlines: Int) {
        var index = start
        var quoted = false
        var inFields = false
        var equals = 0
        var commas = 0
        var innerNewlines = 0
        while index < body.count {
            let byte = body[index]
            if byte == 0x5C && index + 2 < body.count {
                if body[index + 1] == 0x0A { innerNewlines += 1 }
                index += 2
                continue
            }
            if byte == 0x20 { inFields = true }
            if inFields {
                if !quoted && byte == 0x3D {
                    equals += 1
                } else if !quoted && byte == 0x2C {
                    commas += 1
                } else if byte == 0x22 && equals > commas {
                    quoted.toggle()
                }
            }
            if byte == 0x0A {
                if !quoted { return (index, innerNewlines) }
                innerNewlines += 1
            }
            index += 1
        }
        return (body.count, innerNewlines)
    }

    /// Parses one line (without its `\n`).
    public static func parse(line: ArraySlice<UInt8>, number: Int, precision: Precision) -> Result<ParsedPoint, LineProtocolError> {
        line.withUnsafeBufferPointer { parse(line: $0, number: number, precision: precision) }
    }

    static func parse(line: UnsafeBufferPointer<UInt8>, number: Int, precision: Precision) -> Result<ParsedPoint, LineProtocolError> {
        var cursor = Cursor(bytes: line, number: number)
        do throws(LineProtocolError) {
            return .success(try cursor.point(precision: precision))
        } catch {
            return .failure(error)
        }
    }
}

/// A set of bytes as a 256-bit mask: membership is a shift and a test, where a `Set` would
/// hash every byte of every line.
struct ByteSet {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init(_ bytes: [UInt8]) {
        for byte in bytes {
            let bit = UInt64(1) << UInt64(byte & 63)
            switch byte >> 6 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            case 2: words.2 |= bit
            default: words.3 |= bit
            }
        }
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    static let commaSpace = ByteSet([0x2C, 0x20])
    static let equalsCommaSpace = ByteSet([0x3D, 0x2C, 0x20])
    static let space = ByteSet([0x20])
    static let none = ByteSet([])
}

/// A token of a line: where it is, and its bytes with escapes removed when it had any.
private struct Token {
    var range: Range<Int>
    var unescaped: [UInt8]?

    var isEmpty: Bool { unescaped?.isEmpty ?? range.isEmpty }
}

/// Walks one line byte by byte. The line is borrowed for the walk: tokens are ranges of it,
/// and only what a point keeps is copied out, as strings.
private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let number: Int
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, number: Int) {
        self.bytes = bytes
        self.number = number
    }

    var atEnd: Bool { index >= bytes.count }

    func fail(_ reason: String, at position: Int? = nil) -> LineProtocolError {
        LineProtocolError(line: number, column: (position ?? index) + 1, reason: reason)
    }

    mutating func point(precision: Precision) throws(LineProtocolError) -> ParsedPoint {
        while !atEnd && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        let measurementStart = index
        // InfluxDB 1.6.7 stores `cpu\=load` under the measurement `cpu=load`: its Point.Name()
        // unescapes `\=` as well as `\,` and `\ ` (though `=` does not end a measurement).
        let measurement = token(stops: .commaSpace, escapable: .equalsCommaSpace)
        if measurement.isEmpty { throw fail("missing measurement", at: measurementStart) }
        var tags: [(key: String, value: String)] = []
        while !atEnd && bytes[index] == 0x2C {
            index += 1
            let keyStart = index
            let key = token(stops: .equalsCommaSpace, escapable: .equalsCommaSpace)
            guard !atEnd, bytes[index] == 0x3D else { throw fail("missing tag value") }
            if key.isEmpty { throw fail("missing tag key", at: keyStart) }
            index += 1
            let valueStart = index
            let value = token(stops: .commaSpace, escapable: .equalsCommaSpace)
            if value.isEmpty { throw fail("missing tag value", at: valueStart) }
            let keyText = text(key)
            if keyText == "time" { throw fail("cannot use reserved tag key 'time'", at: keyStart) }
            if tags.contains(where: { $0.key == keyText }) { throw fail("duplicate tags", at: keyStart) }
            tags.append((keyText, text(value)))
        }
        let seriesKeyBytes = index - measurementStart
        try separator(missing: "missing fields")
        var fields: [(key: String, value: FieldValue)] = []
        while true {
            let keyStart = index
            let key = token(stops: .equalsCommaSpace, escapable: .equalsCommaSpace)
            guard !atEnd, bytes[index] == 0x3D else { throw fail("missing field value", at: keyStart) }
            if key.isEmpty { throw fail("missing field key", at: keyStart) }
            // InfluxDB stores each field under "series key#!~#field key", as written.
            let storageKeyBytes = seriesKeyBytes + 4 + (index - keyStart)
            if storageKeyBytes > LineParser.keyBytesMax {
                throw fail("max key length exceeded: \(storageKeyBytes) > \(LineParser.keyBytesMax)", at: keyStart)
            }
            index += 1
            let value = try fieldValue()
            let keyText = text(key)
            if let existing = fields.firstIndex(where: { $0.key == keyText }) {
                if fields[existing].value.typeName != value.typeName {
                    throw fail("field type conflict: '\(keyText)' is \(fields[existing].value.typeName) and \(value.typeName)", at: keyStart)
                }
                fields[existing].value = value
            } else {
                fields.append((keyText, value))
            }
            guard !atEnd, bytes[index] == 0x2C else { break }
            index += 1
        }
        var timestampNs: Int64?
        while !atEnd && bytes[index] == 0x20 { index += 1 }
        if !atEnd { timestampNs = try timestamp(precision: precision) }
        // A field named `time` is dropped; a point left with no field is refused.
        fields.removeAll { $0.key == "time" }
        if fields.isEmpty { throw fail("missing fields", at: 0) }
        return ParsedPoint(measurement: text(measurement), tags: tags, fields: fields, timestampNs: timestampNs)
    }

    /// One or more spaces between sections (a tab is no separator: it stays in the token
    /// before it); the end of the line is an error.
    mutating func separator(missing reason: String) throws(LineProtocolError) {
        while !atEnd && bytes[index] == 0x20 { index += 1 }
        guard !atEnd else { throw fail(reason) }
    }

    /// Bytes up to an unescaped byte of `stops`, with `\` before an `escapable` byte dropped
    /// (a backslash before anything else stays).
    mutating func token(stops: ByteSet, escapable: ByteSet) -> Token {
        // Most tokens hold no backslash: a range of the line, nothing copied.
        let start = index
        while index < bytes.count && !stops.contains(bytes[index]) && bytes[index] != 0x5C { index += 1 }
        if index >= bytes.count || bytes[index] != 0x5C { return Token(range: start..<index) }
        var out = Array(bytes[start..<index])
        while !atEnd && !stops.contains(bytes[index]) {
            if bytes[index] == 0x5C && index + 1 < bytes.count && escapable.contains(bytes[index + 1]) {
                out.append(bytes[index + 1])
                index += 2
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return Token(range: start..<index, unescaped: out)
    }

    mutating func fieldValue() throws(LineProtocolError) -> FieldValue {
        let start = index
        guard !atEnd, bytes[index] != 0x2C, bytes[index] != 0x20 else { throw fail("missing field value") }
        if bytes[index] == 0x22 {
            index += 1
            var out: [UInt8] = []
            while !atEnd && bytes[index] != 0x22 {
                if bytes[index] == 0x5C && index + 1 < bytes.count && (bytes[index + 1] == 0x22 || bytes[index + 1] == 0x5C) {
                    index += 1
                }
                out.append(bytes[index])
                index += 1
            }
            guard !atEnd else { throw fail("unbalanced quotes", at: start) }
            index += 1
            guard atEnd || bytes[index] == 0x2C || bytes[index] == 0x20 else { throw fail("invalid field format") }
            return .string(String(decoding: out, as: UTF8.self))
        }
        // No escapes in a number or a bool: the token is always a plain range.
        let raw = token(stops: .commaSpace, escapable: .none).range
        if let flag = boolean(raw) { return .bool(flag) }
        guard !raw.isEmpty else { throw fail("missing field value", at: start) }
        let last = bytes[raw.upperBound - 1]
        if last == 0x69 || last == 0x75 {
            let digits = raw.lowerBound..<(raw.upperBound - 1)
            let signed = !digits.isEmpty && bytes[digits.lowerBound] == 0x2D
            let magnitude = (signed ? digits.lowerBound + 1 : digits.lowerBound)..<digits.upperBound
            guard !magnitude.isEmpty, allDigits(magnitude) else { throw fail("invalid number", at: start) }
            if last == 0x69 {
                guard let value = integer(magnitude, negative: signed) else { throw fail("value out of range", at: start) }
                return .int(value)
            }
            guard !signed else { throw fail("invalid number", at: start) }
            guard let value = unsigned(magnitude) else { throw fail("value out of range", at: start) }
            return .uint(value)
        }
        guard isFloat(raw), let value = Double(text(Token(range: raw))), value.isFinite else { throw fail("invalid number", at: start) }
        return .float(value)
    }

    /// `t T true True TRUE f F false False FALSE`, or nil.
    func boolean(_ range: Range<Int>) -> Bool? {
        guard (1...5).contains(range.count) else { return nil }
        switch text(Token(range: range)) {
        case "t", "T", "true", "True", "TRUE": return true
        case "f", "F", "false", "False", "FALSE": return false
        default: return nil
        }
    }

    func allDigits(_ range: Range<Int>) -> Bool {
        for position in range where bytes[position] < 0x30 || bytes[position] > 0x39 { return false }
        return true
    }

    /// Decimal digits (checked already) as an Int64, or nil when out of range.
    func integer(_ digits: Range<Int>, negative: Bool) -> Int64? {
        guard let magnitude = unsigned(digits) else { return nil }
        if negative {
            // Int64.min's magnitude is one more than Int64.max's.
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Decimal digits (checked already) as a UInt64, or nil when out of range.
    func unsigned(_ digits: Range<Int>) -> UInt64? {
        var value: UInt64 = 0
        for position in digits {
            let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = times10.addingReportingOverflow(UInt64(bytes[position] - 0x30))
            if overflowA || overflowB { return nil }
            value = next
        }
        return value
    }

    /// `-?(digits(.digits?)?|.digits)([eE][+-]?digits)?`: no `+`, NaN, Inf or hex.
    func isFloat(_ raw: Range<Int>) -> Bool {
        var index = raw.lowerBound
        func digits() -> Int {
            let from = index
            while index < raw.upperBound && bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
            return index - from
        }
        if index < raw.upperBound && bytes[index] == 0x2D { index += 1 }
        var mantissa = digits()
        if index < raw.upperBound && bytes[index] == 0x2E {
            index += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if index < raw.upperBound && (bytes[index] == 0x65 || bytes[index] == 0x45) {
            index += 1
            if index < raw.upperBound && (bytes[index] == 0x2B || bytes[index] == 0x2D) { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == raw.upperBound
    }

    mutating func timestamp(precision: Precision) throws(LineProtocolError) -> Int64 {
        let start = index
        let raw = token(stops: .space, escapable: .none).range
        let signed = !raw.isEmpty && bytes[raw.lowerBound] == 0x2D
        let magnitude = (signed ? raw.lowerBound + 1 : raw.lowerBound)..<raw.upperBound
        guard !magnitude.isEmpty, allDigits(magnitude) else { throw fail("bad timestamp", at: start) }
        guard let value = integer(magnitude, negative: signed) else { throw fail("time outside range", at: start) }
        while !atEnd && bytes[index] == 0x20 { index += 1 }
        guard atEnd else { throw fail("bad timestamp", at: start) }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: precision.nanoseconds)
        guard !overflow, LineParser.timestampRangeNs.contains(scaled) else { throw fail("time outside range", at: start) }
        return scaled
    }

    func text(_ token: Token) -> String {
        if let unescaped = token.unescaped { return String(decoding: unescaped, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[token.range]), as: UTF8.self)
    }
}
