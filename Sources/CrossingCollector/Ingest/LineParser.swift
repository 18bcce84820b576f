/// A parser for the whole InfluxDB line protocol, written from the spec and from InfluxDB
/// 1.x's `models/points.go` (docs/line-protocol.md has the rules that matter here).
///
/// A body splits into lines at `\n`, except inside a quoted string field. Blank lines and
/// lines starting with `#` are skipped. Each remaining line is a point or an error naming its
/// line, column and reason; the good lines of a body are kept whatever the bad ones do, as in
/// InfluxDB's partial write.
///
/// This is the parser's form for tools and tests: every point comes out as strings. The
/// collector's ingest walks the same lines in place (`LineScanner`), copying nothing.
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
        var lines: [Line] = []
        body.withUnsafeBufferPointer { buffer in
            var scanner = LineScanner(precision: precision)
            scanner.scan(buffer) { number, bytes, result in
                lines.append(Line(number: number, bytes: bytes, result: result.map { $0.parsedPoint(in: buffer) }))
            }
        }
        return lines
    }

    /// Checks every line of `body` in place, building no point: how many lines are points or
    /// refused (blank and comment lines are neither), and the errors. It runs at the speed
    /// of the collector's ingest, where `parse` builds strings.
    public static func check(_ body: [UInt8], precision: Precision = .ns) -> (lines: Int, errors: [LineProtocolError]) {
        var lines = 0
        var errors: [LineProtocolError] = []
        body.withUnsafeBufferPointer { buffer in
            var scanner = LineScanner(precision: precision)
            scanner.scan(buffer) { _, _, result in
                lines += 1
                if case .failure(let error) = result { errors.append(error) }
            }
        }
        return (lines, errors)
    }
}
