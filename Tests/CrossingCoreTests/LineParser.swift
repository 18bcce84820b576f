/// A line-protocol parser for the encoder's tests, written from the spec: escapes in the
/// measurement, tag keys and values and field keys; quoted strings with `\"` and `\\`; `i`
/// integers, booleans; a timestamp. It returns nil for any line it cannot read whole.
struct ParsedLine: Equatable {
    enum Value: Equatable {
        case integer(Int64)
        case bool(Bool)
        case string([UInt8])
    }

    var measurement: [UInt8] = []
    var tags: [([UInt8], [UInt8])] = []
    var fields: [([UInt8], Value)] = []
    var timestamp: Int64 = 0

    static func == (lhs: ParsedLine, rhs: ParsedLine) -> Bool {
        lhs.measurement == rhs.measurement && lhs.tags.map(\.0) == rhs.tags.map(\.0) && lhs.tags.map(\.1) == rhs.tags.map(\.1)
            && lhs.fields.map(\.0) == rhs.fields.map(\.0) && lhs.fields.map(\.1) == rhs.fields.map(\.1)
            && lhs.timestamp == rhs.timestamp
    }

    /// Parses the lines of `bytes`, each ending in `\n`.
    static func parseAll(_ bytes: [UInt8]) -> [ParsedLine]? {
        var lines: [ParsedLine] = []
        var index = 0
        while index < bytes.count {
            guard let (line, next) = parse(bytes, from: index) else { return nil }
            lines.append(line)
            index = next
        }
        return lines
    }

    /// One line from `start`; the line and the index after its `\n`.
    static func parse(_ bytes: [UInt8], from start: Int) -> (ParsedLine, Int)? {
        var line = ParsedLine()
        var index = start
        /// An escaped token up to an unescaped byte in `stops`.
        func token(_ stops: Set<UInt8>, escapable: Set<UInt8>) -> [UInt8] {
            var out: [UInt8] = []
            while index < bytes.count, !stops.contains(bytes[index]) {
                if bytes[index] == 0x5C, index + 1 < bytes.count, escapable.contains(bytes[index + 1]) {
                    out.append(bytes[index + 1])
                    index += 2
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            return out
        }
        let keyEscapes: Set<UInt8> = [0x2C, 0x3D, 0x20]
        line.measurement = token([0x2C, 0x20, 0x0A], escapable: [0x2C, 0x20])
        while index < bytes.count, bytes[index] == 0x2C {
            index += 1
            let key = token([0x3D, 0x0A], escapable: keyEscapes)
            guard index < bytes.count, bytes[index] == 0x3D else { return nil }
            index += 1
            let value = token([0x2C, 0x20, 0x0A], escapable: keyEscapes)
            guard !key.isEmpty, !value.isEmpty else { return nil }
            line.tags.append((key, value))
        }
        guard index < bytes.count, bytes[index] == 0x20 else { return nil }
        index += 1
        repeat {
            if bytes[index] == 0x2C { index += 1 }
            let key = token([0x3D, 0x0A], escapable: keyEscapes)
            guard index < bytes.count, bytes[index] == 0x3D else { return nil }
            index += 1
            if bytes[index] == 0x22 {
                index += 1
                var text: [UInt8] = []
                while index < bytes.count, bytes[index] != 0x22 {
                    if bytes[index] == 0x5C, index + 1 < bytes.count, bytes[index + 1] == 0x22 || bytes[index + 1] == 0x5C {
                        index += 1
                    }
                    text.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count else { return nil }
                index += 1
                line.fields.append((key, .string(text)))
            } else {
                let raw = token([0x2C, 0x20, 0x0A], escapable: [])
                if raw.last == 0x69, let value = Int64(String(decoding: raw.dropLast(), as: UTF8.self)) {
                    line.fields.append((key, .integer(value)))
                } else if raw == Array("t".utf8) || raw == Array("f".utf8) {
                    line.fields.append((key, .bool(raw == Array("t".utf8))))
                } else {
                    return nil
                }
            }
        } while index < bytes.count && bytes[index] == 0x2C
        guard index < bytes.count, bytes[index] == 0x20 else { return nil }
        index += 1
        let digits = token([0x0A], escapable: [])
        guard let timestamp = Int64(String(decoding: digits, as: UTF8.self)), index < bytes.count, bytes[index] == 0x0A else {
            return nil
        }
        line.timestamp = timestamp
        return (line, index + 1)
    }
}
