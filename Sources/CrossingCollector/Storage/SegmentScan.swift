import CrossingCore

/// One segment of the write-ahead log read back into records, telling a torn tail from damage
/// in the middle.
///
/// A crash can only cut the newest segment's last write short, and that write was never
/// acknowledged: the bytes after the last intact record are the tail, and `open` cuts them off.
/// Damage with intact records after it (a flipped bit, a bad sector) is another matter: the
/// records after it were acknowledged long ago. The scan skips the damaged stretch by finding
/// the next offset where an intact record starts (its length in range, its version and
/// precision known, its CRC-32 right: a false start in damaged bytes is a 1 in 2^32 chance)
/// and recovers every record from there.
public struct SegmentScan: Sendable {
    /// A stretch of a segment that holds no intact record.
    public struct Damage: Sendable, Equatable {
        public var offset: Int
        public var bytes: Int
        /// What was wrong with the record that should have started at `offset`.
        public var reason: String
    }

    /// Intact records handed to `replay`.
    public private(set) var records = 0
    /// Damaged stretches with intact records after them: skipped, and the records after them
    /// recovered. Each is acknowledged data lost.
    public private(set) var skipped: [Damage] = []
    /// Bytes after the last intact record: a write cut short, or damage at the very end.
    public private(set) var tail: Damage?

    /// Whether the segment is intact records only: nothing skipped, no tail.
    public var isIntact: Bool { skipped.isEmpty && tail == nil }

    /// Where the intact records end: the segment's size, or where its tail starts.
    public var validBytes: Int { tail?.offset ?? end }
    private var end = 0

    /// Scans `bytes`, handing every intact record to `replay` in order.
    public init(_ bytes: [UInt8], replay: (WriteAheadLog.Record) -> Void) {
        end = bytes.count
        var offset = 0
        while offset < bytes.count {
            switch Self.record(in: bytes, at: offset) {
            case .success(let found):
                replay(found.record)
                records += 1
                offset = found.next
            case .failure(let problem):
                guard let next = Self.nextRecord(in: bytes, after: offset) else {
                    tail = Damage(offset: offset, bytes: bytes.count - offset, reason: problem.reason)
                    return
                }
                skipped.append(Damage(offset: offset, bytes: next - offset, reason: problem.reason))
                offset = next
            }
        }
    }

    struct Problem: Error {
        var reason: String
    }

    /// The record starting at `offset`, and where the next one starts.
    static func record(in bytes: [UInt8], at offset: Int) -> Result<(record: WriteAheadLog.Record, next: Int), Problem> {
        let headerBytes = WriteAheadLog.headerBytes
        guard bytes.count - offset >= headerBytes else { return .failure(Problem(reason: "torn record header")) }
        let length = Int(bytes.span.loadLittleEndian(at: offset, as: UInt32.self))
        guard length >= WriteAheadLog.payloadHeaderBytes, length <= WriteAheadLog.recordBytesMax else {
            return .failure(Problem(reason: "record length \(length) out of range"))
        }
        guard bytes.count - offset - headerBytes >= length else {
            return .failure(Problem(reason: "torn record (\(length) bytes announced)"))
        }
        let start = offset + headerBytes
        let version = bytes[start]
        guard version == 1, let precision = Precision.allCases.first(where: { $0.code == bytes[start + 1] }) else {
            return .failure(Problem(reason: "unknown record version \(version) or precision \(bytes[start + 1])"))
        }
        var crc = WideCRC32()
        crc.update(bytes.span.extracting(start..<(start + length)))
        guard crc.value == bytes.span.loadLittleEndian(at: offset + 4, as: UInt32.self) else {
            return .failure(Problem(reason: "record CRC mismatch"))
        }
        let record = WriteAheadLog.Record(
            precision: precision, receivedNs: bytes.span.loadLittleEndian(at: start + 2, as: Int64.self),
            body: Array(bytes[(start + WriteAheadLog.payloadHeaderBytes)..<(start + length)]))
        return .success((record, start + length))
    }

    /// The first offset after `offset` where an intact record starts, if any.
    static func nextRecord(in bytes: [UInt8], after offset: Int) -> Int? {
        var candidate = offset + 1
        let last = bytes.count - WriteAheadLog.headerBytes - WriteAheadLog.payloadHeaderBytes
        while candidate <= last {
            // The version byte first: it rules out nearly every offset before any CRC is run.
            if bytes[candidate + WriteAheadLog.headerBytes] == 1, case .success = record(in: bytes, at: candidate) {
                return candidate
            }
            candidate += 1
        }
        return nil
    }
}
