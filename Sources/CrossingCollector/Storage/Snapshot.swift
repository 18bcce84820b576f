import CrossingCore

/// The ledger as of the start of a log segment, so that startup replays only the log since.
///
/// Layout, little-endian: `CPSNAP1\n`, i64 first segment not covered, i64 points, u32 devices,
/// each a string and its u32 ranges of two i64s, u32 totals, each five strings and two i64s
/// (minute, count), then a u32 CRC-32 of everything before it. A string is a u32 length and
/// its UTF-8 bytes. The file is replaced whole (FileIO.replace), never edited.
enum Snapshot {
    static let magic = Array("CPSNAP1\n".utf8)
    static let fileName = "snapshot.bin"

    static func encode(_ ledger: Ledger, throughSegment: Int) -> [UInt8] {
        var bytes = magic
        bytes.appendLittleEndian(Int64(throughSegment))
        bytes.appendLittleEndian(ledger.points)
        bytes.appendLittleEndian(UInt32(ledger.storedSeqs.count))
        for (device, seqs) in ledger.storedSeqs.sorted(by: { $0.key < $1.key }) {
            bytes.append(string: device)
            bytes.appendLittleEndian(UInt32(seqs.ranges.count))
            for range in seqs.ranges {
                bytes.appendLittleEndian(range.lowerBound)
                bytes.appendLittleEndian(range.upperBound)
            }
        }
        bytes.appendLittleEndian(UInt32(ledger.totals.count))
        for (key, count) in ledger.totals {
            for text in [key.site, key.device, key.lane, key.crossingClass, key.direction] { bytes.append(string: text) }
            bytes.appendLittleEndian(key.minuteS)
            bytes.appendLittleEndian(count)
        }
        var crc = CRC32()
        crc.update(bytes.span)
        bytes.appendLittleEndian(crc.value)
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws(CollectorError) -> (ledger: Ledger, throughSegment: Int) {
        guard bytes.count >= magic.count + 4, Array(bytes.prefix(magic.count)) == magic else {
            throw CollectorError("\(path): not a snapshot (bad magic)")
        }
        var crc = CRC32()
        for byte in bytes.dropLast(4) { crc.update(byte) }
        guard crc.value == bytes.span.loadLittleEndian(at: bytes.count - 4, as: UInt32.self) else { throw CollectorError("\(path): snapshot CRC mismatch") }
        var reader = Reader(bytes: bytes, offset: magic.count, end: bytes.count - 4, path: path)
        let throughSegment = Int(try reader.int64())
        var ledger = Ledger()
        ledger.points = try reader.int64()
        for _ in 0..<(try reader.uint32()) {
            let device = try reader.string()
            var seqs = SeqRanges()
            for _ in 0..<(try reader.uint32()) {
                let low = try reader.int64()
                let high = try reader.int64()
                guard low <= high else { throw CollectorError("\(path): offset \(reader.offset): seq range \(low)...\(high) inverted") }
                seqs.insert(low...high)
            }
            ledger.storedSeqs[device] = seqs
        }
        for _ in 0..<(try reader.uint32()) {
            let key = CrossingKey(
                site: try reader.string(), device: try reader.string(), lane: try reader.string(),
                crossingClass: try reader.string(), direction: try reader.string(), minuteS: try reader.int64())
            ledger.totals[key] = try reader.int64()
        }
        guard reader.offset == reader.end else { throw CollectorError("\(path): \(reader.end - reader.offset) bytes after the snapshot's end") }
        return (ledger, throughSegment)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset: Int
        let end: Int
        let path: String

        mutating func take(_ count: Int) throws(CollectorError) -> Int {
            guard count >= 0, end - offset >= count else { throw CollectorError("\(path): offset \(offset): snapshot ends early") }
            defer { offset += count }
            return offset
        }

        mutating func uint32() throws(CollectorError) -> UInt32 { try integer() }
        mutating func int64() throws(CollectorError) -> Int64 { try integer() }

        mutating func integer<T: FixedWidthInteger>() throws(CollectorError) -> T {
            let at = try take(T.bitWidth / 8)
            return bytes.span.loadLittleEndian(at: at, as: T.self)
        }

        mutating func string() throws(CollectorError) -> String {
            let count = Int(try uint32())
            let start = try take(count)
            return String(decoding: bytes[start..<(start + count)], as: UTF8.self)
        }
    }
}

extension Array where Element == UInt8 {
    mutating func append(string: String) {
        appendLittleEndian(UInt32(string.utf8.count))
        append(contentsOf: string.utf8)
    }
}
