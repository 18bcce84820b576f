import CrossingCore

/// The ledger as of the start of a log segment, so that startup replays only the log since.
///
/// Layout, little-endian: `CPSNAP2\n`, i64 first segment not covered, i64 points, u32 device
/// incarnations, each a string, an i64 incarnation and its u32 ranges of two i64s, u32 totals,
/// each five strings and two i64s (minute, count), u32 incarnations seen, each a string and two
/// i64s (incarnation, first seen ns), then a u32 CRC-32 of everything before it. A string is a
/// u32 length and its UTF-8 bytes. The file is replaced whole (FileIO.replace), never edited.
///
/// `CPSNAP1\n`, from before incarnations, is read as well: its devices have no incarnation
/// number (so 0), and it has no incarnations section.
enum Snapshot {
    static let magic = Array("CPSNAP2\n".utf8)
    static let magicBefore = Array("CPSNAP1\n".utf8)
    static let fileName = "snapshot.bin"

    static func encode(_ ledger: Ledger, throughSegment: Int) -> [UInt8] {
        var bytes = magic
        bytes.appendLittleEndian(Int64(throughSegment))
        bytes.appendLittleEndian(ledger.points)
        bytes.appendLittleEndian(UInt32(ledger.storedSeqs.count))
        for (origin, seqs) in ledger.storedSeqs.sorted(by: { $0.key < $1.key }) {
            bytes.append(string: origin.device)
            bytes.appendLittleEndian(origin.incarnation)
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
        bytes.appendLittleEndian(UInt32(ledger.incarnations.count))
        for (origin, firstNs) in ledger.incarnations.sorted(by: { $0.key < $1.key }) {
            bytes.append(string: origin.device)
            bytes.appendLittleEndian(origin.incarnation)
            bytes.appendLittleEndian(firstNs)
        }
        var crc = CRC32()
        crc.update(bytes.span)
        bytes.appendLittleEndian(crc.value)
        return bytes
    }

    static func decode(_ bytes: [UInt8], path: String) throws(CollectorError) -> (ledger: Ledger, throughSegment: Int) {
        let head = Array(bytes.prefix(magic.count))
        guard bytes.count >= magic.count + 4, head == magic || head == magicBefore else {
            throw CollectorError("\(path): not a snapshot (bad magic)")
        }
        let numbered = head == magic
        var crc = CRC32()
        for byte in bytes.dropLast(4) { crc.update(byte) }
        guard crc.value == bytes.span.loadLittleEndian(at: bytes.count - 4, as: UInt32.self) else { throw CollectorError("\(path): snapshot CRC mismatch") }
        var reader = Reader(bytes: bytes, offset: magic.count, end: bytes.count - 4, path: path)
        let throughSegment = Int(try reader.int64())
        var ledger = Ledger()
        ledger.points = try reader.int64()
        for _ in 0..<(try reader.uint32()) {
            let origin = DeviceIncarnation(device: try reader.string(), incarnation: numbered ? try reader.int64() : 0)
            var seqs = SeqRanges()
            for _ in 0..<(try reader.uint32()) {
                let low = try reader.int64()
                let high = try reader.int64()
                guard low <= high else { throw CollectorError("\(path): offset \(reader.offset): seq range \(low)...\(high) inverted") }
                seqs.insert(low...high)
            }
            ledger.storedSeqs[origin] = seqs
        }
        for _ in 0..<(try reader.uint32()) {
            let key = CrossingKey(
                site: try reader.string(), device: try reader.string(), lane: try reader.string(),
                crossingClass: try reader.string(), direction: try reader.string(), minuteS: try reader.int64())
            ledger.totals.add(try reader.int64(), to: key)
        }
        if numbered {
            for _ in 0..<(try reader.uint32()) {
                let origin = DeviceIncarnation(device: try reader.string(), incarnation: try reader.int64())
                ledger.incarnations[origin] = try reader.int64()
            }
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
