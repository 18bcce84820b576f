import CrossingCollector

/// libFuzzer target: one segment of the collector's write-ahead log, any bytes
/// (`SegmentScan`). The scan must account for every byte exactly once: intact records,
/// skipped damage and the tail, in order and in bounds; and it must recover the same records
/// when the bytes before a skipped stretch are cut away.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWALSegment(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var recordBytes = 0
    var bodies: [[UInt8]] = []
    let scan = SegmentScan(bytes) { record in
        // A record's frame: length and CRC (8 bytes), version, precision, time (10), the lines.
        recordBytes += 18 + record.body.count
        bodies.append(record.body)
    }
    precondition(scan.records == bodies.count, "records counted are not those replayed")
    var end = 0
    for damage in scan.skipped {
        precondition(damage.offset >= end && damage.bytes > 0, "skipped stretches out of order")
        end = damage.offset + damage.bytes
    }
    precondition(end <= scan.validBytes && scan.validBytes <= bytes.count, "skipped past the intact records")
    if let tail = scan.tail { precondition(tail.offset + tail.bytes == bytes.count && tail.bytes > 0, "a tail that is not the end") }
    let damaged = scan.skipped.reduce(0) { $0 + $1.bytes } + (scan.tail?.bytes ?? 0)
    precondition(recordBytes + damaged == bytes.count, "bytes neither in a record nor reported as damage")
    // What follows a skipped stretch is read the same on its own.
    if let last = scan.skipped.last {
        var after: [[UInt8]] = []
        _ = SegmentScan(Array(bytes[(last.offset + last.bytes)...])) { after.append($0.body) }
        precondition(after == Array(bodies.suffix(after.count)), "records after damage read differently on their own")
    }
    return 0
}
