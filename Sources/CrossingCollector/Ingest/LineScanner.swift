#if canImport(Glibc)
import Glibc
#endif

/// Walks a body of line protocol in place (the rules are `LineParser`'s): each point is
/// handed over as a `PointView` of the input, in arrays refilled from line to line, so that a
/// line allocates nothing unless it is refused or holds a float too long for the stack.
struct LineScanner {
    let precision: Precision
    private var point = PointView()

    init(precision: Precision) {
        self.precision = precision
    }

    /// Hands `each` every point line of `body`: its 1-based number, its bytes without the
    /// `\n`, and its point or why it is refused. Blank and comment lines are skipped.
    mutating func scan(
        _ body: UnsafeBufferPointer<UInt8>, _ each: (_ number: Int, _ bytes: Range<Int>, _ point: Result<PointView, LineProtocolError>) -> Void
    ) {
        var start = 0
        var number = 1
        while start <= body.count {
            let (end, innerNewlines) = Self.lineEnd(body, from: start)
            var first = start
            while first < end && (body[first] == 0x20 || body[first] == 0x09) { first += 1 }
            if first < end && body[first] != 0x23 {
                var cursor = Cursor(bytes: body, lineStart: start, end: end, number: number)
                do throws(LineProtocolError) {
                    try cursor.point(into: &point, precision: precision)
                    each(number, start..<end, .success(point))
                } catch {
                    each(number, start..<end, .failure(error))
                }
            }
            number += 1 + innerNewlines
            start = end + 1
        }
    }

    /// The index of the `\n` that ends the line starting at `start` (or the end of `body`),
    /// and how many `\n`s inside strings it passed. A quote opens a string only in the fields,
    /// after an `=` that no `,` has followed, as InfluxDB's scanner decides it.
    static func lineEnd(_ body: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, innerNewlines: Int) {
        guard start < body.count else { return (body.count, 0) }
        let base = body.baseAddress!
        let rest = body.count - start
        let found = memchr(base + start, 0x0A, rest)
        let newline = found.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? body.count
        // With no quote and no backslash before it, the first newline ends the line: two
        // vector scans decide nearly every line.
        if memchr(base + start, 0x22, newline - start) == nil && memchr(base + start, 0x5C, newline - start) == nil {
            return (newline, 0)
        }
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
}

/// What each byte is to the scanner, as bit flags in a table of 256, so that a token's loop
/// tests one byte with one load and one mask, whatever set of bytes ends it.
enum ByteClass {
    static let comma: UInt8 = 1
    static let space: UInt8 = 2
    static let equals: UInt8 = 4
    static let backslash: UInt8 = 8

    static let commaSpace = comma | space
    static let equalsCommaSpace = equals | comma | space
    static let none: UInt8 = 0

    /// Never freed or written after it is built: one table for the process, read through a
    /// pointer so that a loop pays no bounds check and no lazy-global check per byte.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        table[0x2C] = comma
        table[0x20] = space
        table[0x3D] = equals
        table[0x5C] = backslash
        return UnsafePointer(table)
    }()
}

/// Walks one line of the input byte by byte, filling a `PointView`.
private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let lineStart: Int
    /// Where the line ends (its `\n`, or the end of the input).
    let end: Int
    let number: Int
    var index: Int
    let classes = ByteClass.table

    init(bytes: UnsafeBufferPointer<UInt8>, lineStart: Int, end: Int, number: Int) {
        self.bytes = bytes
        self.lineStart = lineStart
        self.end = end
        self.number = number
        self.index = lineStart
    }

    var atEnd: Bool { index >= end }

    func fail(_ reason: String, at position: Int? = nil) -> LineProtocolError {
        LineProtocolError(line: number, column: (position ?? index) - lineStart + 1, reason: reason)
    }

    mutating func point(into point: inout PointView, precision: Precision) throws(LineProtocolError) {
        point.tags.removeAll(keepingCapacity: true)
        point.fields.removeAll(keepingCapacity: true)
        while !atEnd && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        let measurementStart = index
        // InfluxDB 1.6.7 stores `cpu\=load` under the measurement `cpu=load`: its Point.Name()
        // unescapes `\=` as well as `\,` and `\ ` (though `=` does not end a measurement).
        point.measurement = token(stops: ByteClass.commaSpace, escapable: ByteClass.equalsCommaSpace)
        if point.measurement.range.isEmpty { throw fail("missing measurement", at: measurementStart) }
        while !atEnd && bytes[index] == 0x2C {
            index += 1
            let keyStart = index
            let key = token(stops: ByteClass.equalsCommaSpace, escapable: ByteClass.equalsCommaSpace)
            guard !atEnd, bytes[index] == 0x3D else { throw fail("missing tag value") }
            if key.range.isEmpty { throw fail("missing tag key", at: keyStart) }
            index += 1
            let valueStart = index
            let value = token(stops: ByteClass.commaSpace, escapable: ByteClass.equalsCommaSpace)
            if value.range.isEmpty { throw fail("missing tag value", at: valueStart) }
            if key.reads("time", in: bytes) { throw fail("cannot use reserved tag key 'time'", at: keyStart) }
            if point.tags.contains(where: { $0.key.same(as: key, in: bytes) }) { throw fail("duplicate tags", at: keyStart) }
            point.tags.append((key, value))
        }
        point.seriesKey = measurementStart..<index
        try separator(missing: "missing fields")
        while true {
            let keyStart = index
            let key = token(stops: ByteClass.equalsCommaSpace, escapable: ByteClass.equalsCommaSpace)
            guard !atEnd, bytes[index] == 0x3D else { throw fail("missing field value", at: keyStart) }
            if key.range.isEmpty { throw fail("missing field key", at: keyStart) }
            // InfluxDB stores each field under "series key#!~#field key", as written.
            let storageKeyBytes = point.seriesKey.count + 4 + (index - keyStart)
            if storageKeyBytes > LineParser.keyBytesMax {
                throw fail("max key length exceeded: \(storageKeyBytes) > \(LineParser.keyBytesMax)", at: keyStart)
            }
            index += 1
            let value = try fieldValue()
            if let existing = point.fields.firstIndex(where: { $0.key.same(as: key, in: bytes) }) {
                let known = point.fields[existing].value.type
                if known != value.type {
                    throw fail("field type conflict: '\(key.text(in: bytes))' is \(known.rawValue) and \(value.type.rawValue)", at: keyStart)
                }
                point.fields[existing].value = value
            } else {
                point.fields.append((key, value))
            }
            guard !atEnd, bytes[index] == 0x2C else { break }
            index += 1
        }
        point.timestampNs = nil
        while !atEnd && bytes[index] == 0x20 { index += 1 }
        if !atEnd { point.timestampNs = try timestamp(precision: precision) }
        // A field named `time` is dropped; a point left with no field is refused.
        point.fields.removeAll { $0.key.reads("time", in: bytes) }
        if point.fields.isEmpty { throw fail("missing fields", at: lineStart) }
    }

    /// One or more spaces between sections (a tab is no separator: it stays in the token
    /// before it); the end of the line is an error.
    mutating func separator(missing reason: String) throws(LineProtocolError) {
        while !atEnd && bytes[index] == 0x20 { index += 1 }
        guard !atEnd else { throw fail(reason) }
    }

    /// Bytes up to an unescaped byte of `stops`, where `\` before an `escapable` byte escapes
    /// it (a backslash before anything else is kept as it is).
    mutating func token(stops: UInt8, escapable: UInt8) -> LineToken {
        let start = index
        var escaped = false
        while index < end {
            let byteClass = classes[Int(bytes[index])]
            if byteClass & (stops | ByteClass.backslash) == 0 {
                index += 1
            } else if byteClass & stops != 0 {
                break
            } else if index + 1 < end && classes[Int(bytes[index + 1])] & escapable != 0 {
                escaped = true
                index += 2
            } else {
                index += 1
            }
        }
        return LineToken(range: start..<index, escaped: escaped)
    }

    mutating func fieldValue() throws(LineProtocolError) -> FieldView {
        let start = index
        guard !atEnd, bytes[index] != 0x2C, bytes[index] != 0x20 else { throw fail("missing field value") }
        if bytes[index] == 0x22 {
            index += 1
            var escaped = false
            while !atEnd && bytes[index] != 0x22 {
                if bytes[index] == 0x5C && index + 1 < end && (bytes[index + 1] == 0x22 || bytes[index + 1] == 0x5C) {
                    escaped = true
                    index += 1
                }
                index += 1
            }
            guard !atEnd else { throw fail("unbalanced quotes", at: start) }
            let text = LineToken(range: (start + 1)..<index, escaped: escaped)
            index += 1
            guard atEnd || bytes[index] == 0x2C || bytes[index] == 0x20 else { throw fail("invalid field format") }
            return .string(text)
        }
        // No escapes in a number or a bool: the token is always a plain range.
        let raw = token(stops: ByteClass.commaSpace, escapable: ByteClass.none).range
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
        guard isFloat(raw), let value = double(raw), value.isFinite else { throw fail("invalid number", at: start) }
        return .float(value)
    }

    /// `t T true True TRUE f F false False FALSE`, or nil.
    func boolean(_ range: Range<Int>) -> Bool? {
        func reads(_ word: StaticString) -> Bool {
            range.count == word.utf8CodeUnitCount && memcmp(bytes.baseAddress! + range.lowerBound, word.utf8Start, range.count) == 0
        }
        switch range.count {
        case 1: return reads("t") || reads("T") ? true : reads("f") || reads("F") ? false : nil
        case 4: return reads("true") || reads("True") || reads("TRUE") ? true : nil
        case 5: return reads("false") || reads("False") || reads("FALSE") ? false : nil
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

    /// A float the grammar accepted, correctly rounded by `strtod`: the input is not
    /// terminated, so the digits go through a terminated copy (on the stack when short).
    func double(_ raw: Range<Int>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: raw.count + 1) { copy in
            for offset in 0..<raw.count { copy[offset] = CChar(bitPattern: bytes[raw.lowerBound + offset]) }
            copy[raw.count] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(copy.baseAddress!, &stop)
            return stop == copy.baseAddress! + raw.count ? value : nil
        }
    }

    mutating func timestamp(precision: Precision) throws(LineProtocolError) -> Int64 {
        let start = index
        let raw = token(stops: ByteClass.space, escapable: ByteClass.none).range
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
}
