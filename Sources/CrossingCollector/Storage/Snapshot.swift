import CrossingCore

/// The ledger as of the start of a log segment, so that startup replays only the log since.
///
/// Layout, little-endian: `CPSNAP4\n`, i64 first segment not covered, i64 points, u32 device
/// incarnations, each a string, an i64 incarnation and its u32 ranges of two i64s; the totals:
/// i64 newest minute, i64 the minute ages are measured from (the newest at the last roll-up),
/// i64 minute horizon and i64 hour horizon (s), u32 series, each five
/// strings, then per resolution (minute, hour, day) u32 totals, each a u32 series number, an
/// i32 interval index and an i64 count; u32 incarnations seen, each a string and two i64s
/// (incarnation, first seen ns); u32 devices' health, each the device and its site as
/// strings and the line's time and nine fields as i64s (DeviceHealth, in its order); u32
/// last-heard times, each a string and an i64 (ns); then a u32 CRC-32 of everything before it.
/// A string is a u32 length and its UTF-8 bytes. The file is written in chunks and replaced
/// whole (FileIO.replace), never edited.
///
/// Read as well: `CPSNAP3\n`, the same without health and last-heard times (they come back
/// with each device's next request); `CPSNAP2\n`, whose totals are u32 totals each of five strings and two i64s
/// (minute, count), and `CPSNAP1\n`, from before incarnations, whose devices have no
/// incarnation number (so 0) and which has no incarnations section.
enum Snapshot {
    static let magic = Array("CPSNAP4\n".utf8)
    static let magicNoHealth = Array("CPSNAP3\n".utf8)
    static let magicMinutes = Array("CPSNAP2\n".utf8)
    static let magicBefore = Array("CPSNAP1\n".utf8)
    static let fileName = "snapshot.bin"
    /// Bytes gathered before they are handed on: the snapshot is never whole in memory.
    static let chunkBytes = 1 << 20

    /// The snapshot's bytes, whole: for tests and small ledgers.
    static func encode(_ ledger: Ledger, throughSegment: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        write(ledger, throughSegment: throughSegment) { chunk in bytes += chunk }
        return bytes
    }

    /// Writes the snapshot in chunks of about `chunkBytes` to `sink`.
    static func write<Failure: Error>(
        _ ledger: Ledger, throughSegment: Int, to sink: ([UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        var crc = WideCRC32()
        var bytes = magic
        func flush(_ force: Bool) throws(Failure) {
            guard force || bytes.count >= chunkBytes else { return }
            crc.update(bytes.span)
            try sink(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
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
            try flush(false)
        }
        let totals = ledger.totals
        bytes.appendLittleEndian(totals.newestMinuteS)
        bytes.appendLittleEndian(totals.baseMinuteS)
        bytes.appendLittleEndian(totals.minuteHorizonS)
        bytes.appendLittleEndian(totals.hourHorizonS)
        bytes.appendLittleEndian(UInt32(totals.series.count))
        for series in totals.series {
            for text in [series.site, series.device, series.lane, series.crossingClass, series.direction] { bytes.append(string: text) }
            try flush(false)
        }
        for resolution in CrossingTotals.Resolution.allCases {
            bytes.appendLittleEndian(UInt32(totals.count(at: resolution)))
            for entry in totals.entries(at: resolution) {
                bytes.appendLittleEndian(entry.series)
                bytes.appendLittleEndian(entry.index)
                bytes.appendLittleEndian(entry.count)
                try flush(false)
            }
        }
        bytes.appendLittleEndian(UInt32(ledger.incarnations.count))
        for (origin, firstNs) in ledger.incarnations.sorted(by: { $0.key < $1.key }) {
            bytes.append(string: origin.device)
            bytes.appendLittleEndian(origin.incarnation)
            bytes.appendLittleEndian(firstNs)
        }
        bytes.appendLittleEndian(UInt32(ledger.health.count))
        for (device, health) in ledger.health.sorted(by: { $0.key < $1.key }) {
            bytes.append(string: device)
            bytes.append(string: health.site)
            for value in health.stored { bytes.appendLittleEndian(value) }
            try flush(false)
        }
        bytes.appendLittleEndian(UInt32(ledger.lastHeardNs.count))
        for (device, heardNs) in ledger.lastHeardNs.sorted(by: { $0.key < $1.key }) {
            bytes.append(string: device)
            bytes.appendLittleEndian(heardNs)
        }
        crc.update(bytes.span)
        bytes.appendLittleEndian(crc.value)
        try sink(bytes)
    }

    static func decode(_ bytes: [UInt8], path: String) throws(CollectorError) -> (ledger: Ledger, throughSegment: Int) {
        let head = Array(bytes.prefix(magic.count))
        guard bytes.count >= magic.count + 4, [magic, magicNoHealth, magicMinutes, magicBefore].contains(head) else {
            throw CollectorError("\(path): not a snapshot (bad magic)")
        }
        let numbered = head != magicBefore
        var crc = WideCRC32()
        crc.update(bytes.span.extracting(0..<(bytes.count - 4)))
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
            ledger.store(seqs, of: origin)
        }
        if head == magic || head == magicNoHealth {
            try readTotals(&reader, into: &ledger.totals)
        } else {
            for _ in 0..<(try reader.uint32()) {
                let key = CrossingKey(
                    site: try reader.string(), device: try reader.string(), lane: try reader.string(),
                    crossingClass: try reader.string(), direction: try reader.string(), minuteS: try reader.int64())
                ledger.totals.add(try reader.int64(), to: key)
            }
        }
        if numbered {
            for _ in 0..<(try reader.uint32()) {
                let origin = DeviceIncarnation(device: try reader.string(), incarnation: try reader.int64())
                ledger.incarnations[origin] = try reader.int64()
            }
        }
        if head == magic {
            for _ in 0..<(try reader.uint32()) {
                let device = try reader.string()
                let site = try reader.string()
                var stored: [Int64] = []
                for _ in 0..<DeviceHealth.storedCount { stored.append(try reader.int64()) }
                ledger.health[device] = DeviceHealth(site: site, stored: stored)
            }
            for _ in 0..<(try reader.uint32()) {
                let device = try reader.string()
                ledger.lastHeardNs[device] = try reader.int64()
            }
        }
        guard reader.offset == reader.end else { throw CollectorError("\(path): \(reader.end - reader.offset) bytes after the snapshot's end") }
        return (ledger, throughSegment)
    }

    /// The totals section of a `CPSNAP3` snapshot.
    private static func readTotals(_ reader: inout Reader, into totals: inout CrossingTotals) throws(CollectorError) {
        let newestMinuteS = try reader.int64()
        let baseMinuteS = try reader.int64()
        let minuteHorizonS = try reader.int64()
        let hourHorizonS = try reader.int64()
        guard minuteHorizonS > 0 && hourHorizonS >= minuteHorizonS else {
            throw CollectorError("\(reader.path): offset \(reader.offset): horizons \(minuteHorizonS) s and \(hourHorizonS) s do not hold")
        }
        totals = CrossingTotals(minuteHorizonS: minuteHorizonS, hourHorizonS: hourHorizonS)
        let seriesCount = try reader.uint32()
        for _ in 0..<seriesCount {
            totals.intern(CrossingTotals.Series(
                site: try reader.string(), device: try reader.string(), lane: try reader.string(),
                crossingClass: try reader.string(), direction: try reader.string()))
        }
        for resolution in CrossingTotals.Resolution.allCases {
            for _ in 0..<(try reader.uint32()) {
                let series: UInt32 = try reader.integer()
                let index: Int32 = try reader.integer()
                let count = try reader.int64()
                guard series < seriesCount else {
                    throw CollectorError("\(reader.path): offset \(reader.offset): series \(series) of \(seriesCount)")
                }
                totals.restore(count, series: series, index: index, at: resolution)
            }
        }
        // Last: the days still aging when the snapshot was taken are queued again from them.
        totals.restore(newestMinuteS: newestMinuteS, baseMinuteS: baseMinuteS)
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
