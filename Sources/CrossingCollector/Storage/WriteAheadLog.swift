import CrossingCore

#if canImport(Glibc)
import Glibc
#endif

/// The append-only log of accepted writes, in numbered segment files (`wal/00000001.log`, ...).
///
/// A record is `[u32 payload bytes][u32 CRC-32 of payload][payload]`, little-endian, and the
/// payload is `[u8 version = 1][u8 precision][i64 received ns][lines]`: the lines exactly as
/// accepted, so that replaying them rebuilds the same state. `append` writes; `sync` makes
/// everything appended durable with one `fdatasync`, which is the group commit: the server
/// appends every batch that arrived in one turn of its loop, syncs once, then acknowledges
/// them all. A crash can tear only the tail of the newest segment, which `open` cuts off;
/// damage anywhere else is skipped and reported, and the records after it kept (`SegmentScan`).
public final class WriteAheadLog {
    /// One accepted write.
    public struct Record: Sendable {
        public var precision: Precision
        public var receivedNs: Int64
        public var body: [UInt8]
    }

    /// A place in the log: a segment and a byte offset in it.
    public struct Position: Comparable, Sendable {
        public var segment: Int
        public var offset: Int

        public static func < (lhs: Position, rhs: Position) -> Bool {
            (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
        }
    }

    static let headerBytes = 8
    static let payloadHeaderBytes = 10
    /// A record bigger than this is corruption, not a write: the servers refuse bodies long before.
    static let recordBytesMax = 64 << 20

    let directory: String
    let files: DurableFiles
    public private(set) var segment: Int
    public private(set) var end: Position
    public private(set) var synced: Position
    public private(set) var syncs = 0
    /// What the scan at open found wrong, over all segments: damaged stretches skipped with
    /// records after them, and the bytes cut from the newest segment's end.
    public let damage: Damage
    private var fd: Int32
    /// The record being appended, kept for its capacity.
    private var encoded: [UInt8] = []

    /// Damage a scan of the log found.
    public struct Damage: Sendable, Equatable {
        /// Stretches skipped, intact records after each: acknowledged writes lost.
        public var skippedRegions = 0
        public var skippedBytes = 0
        /// Bytes after the last intact record of the newest segment (a write a crash cut short,
        /// never acknowledged, or damage at the very end), and of older segments.
        public var tailBytes = 0
    }

    static func path(_ directory: String, _ segment: Int) -> String {
        let digits = String(segment)
        return directory + "/" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".log"
    }

    /// The segments in `directory`, oldest first.
    static func segments(in directory: String) throws(CollectorError) -> [Int] {
        try FileIO.list(directory).compactMap { name in
            name.hasSuffix(".log") ? Int(name.dropLast(4)) : nil
        }.sorted()
    }

    /// Opens the log in `directory` for appending, after handing every intact record of the
    /// segments from `firstSegment` on to `replay`. A torn or corrupt tail of the newest segment
    /// is cut off; damage with intact records after it is skipped. Both are reported through
    /// `warn` and in `damage`. Writes, syncs and directory changes go through `files`.
    public init(
        directory: String, firstSegment: Int, files: DurableFiles = SystemFiles.shared, warn: (String) -> Void,
        replay: (Record) -> Void
    ) throws(CollectorError) {
        try FileIO.makeDirectory(directory)
        self.directory = directory
        self.files = files
        let (newest, damage) = try Self.read(directory: directory, firstSegment: firstSegment, warn: warn, replay: replay)
        self.damage = damage
        segment = newest?.segment ?? firstSegment
        let path = Self.path(directory, segment)
        if let newest, newest.validBytes < newest.bytes {
            guard files.truncate(path, newest.validBytes) == 0 else { throw .system("truncate \(path)") }
        }
        fd = files.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("open \(path)") }
        let size = Int(lseek(fd, 0, SEEK_END))
        end = Position(segment: segment, offset: size)
        synced = end
        guard files.sync(fd, dataOnly: false) == 0 else { throw .system("fsync \(path)") }
        try FileIO.syncDirectory(directory, files: files)
    }

    /// Hands every intact record of the segments from `firstSegment` on to `replay`, changing
    /// nothing (a report reads a live collector's log this way). Damage is skipped and reported
    /// through `warn`, each stretch with its segment, offset and length. Returns the newest
    /// segment, its size, and where its intact records end, and the damage over all segments.
    @discardableResult
    public static func read(
        directory: String, firstSegment: Int, warn: (String) -> Void, replay: (Record) -> Void
    ) throws(CollectorError) -> (newest: (segment: Int, bytes: Int, validBytes: Int)?, damage: Damage) {
        let existing = try segments(in: directory).filter { $0 >= firstSegment }
        var newest: (segment: Int, bytes: Int, validBytes: Int)?
        var damage = Damage()
        for number in existing {
            let path = Self.path(directory, number)
            let bytes = try FileIO.read(path: path) ?? []
            let scan = SegmentScan(bytes, replay: replay)
            for skipped in scan.skipped {
                warn("\(path): offset \(skipped.offset): \(skipped.reason); \(skipped.bytes) bytes skipped, the records after them recovered")
                damage.skippedRegions += 1
                damage.skippedBytes += skipped.bytes
            }
            if let tail = scan.tail {
                warn("\(path): offset \(tail.offset): \(tail.reason); \(tail.bytes) bytes after it dropped")
                damage.tailBytes += tail.bytes
            }
            newest = (number, bytes.count, scan.validBytes)
        }
        return (newest, damage)
    }

    deinit { files.close(fd) }

    /// Appends a record whose lines `body` appends to the buffer it is given; it is durable
    /// after the next `sync`. The record is built in one buffer kept from append to append,
    /// so the lines are copied once, and written with one call.
    public func append(precision: Precision, receivedNs: Int64, body: (inout [UInt8]) -> Void) throws(CollectorError) {
        encoded.removeAll(keepingCapacity: true)
        Self.encode(precision: precision, receivedNs: receivedNs, into: &encoded, body: body)
        try FileIO.writeAll(fd, encoded, path: Self.path(directory, segment), files: files)
        end.offset += encoded.count
    }

    /// Appends to `bytes` the record whose lines `body` appends.
    static func encode(precision: Precision, receivedNs: Int64, into bytes: inout [UInt8], body: (inout [UInt8]) -> Void) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: headerBytes))
        bytes.append(1)
        bytes.append(precision.code)
        bytes.appendLittleEndian(receivedNs)
        body(&bytes)
        let payloadBytes = bytes.count - start - headerBytes
        precondition(payloadBytes <= recordBytesMax, "a record of \(payloadBytes) bytes: the servers refuse such bodies first")
        bytes.withUnsafeMutableBytes { record in
            var crc = WideCRC32()
            crc.update(UnsafeRawBufferPointer(rebasing: record[(start + headerBytes)...]))
            record.storeBytes(of: UInt32(payloadBytes).littleEndian, toByteOffset: start, as: UInt32.self)
            record.storeBytes(of: crc.value.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    static func encode(_ record: Record) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(precision: record.precision, receivedNs: record.receivedNs, into: &bytes) { $0 += record.body }
        return bytes
    }

    /// Appends `record`; it is durable after the next `sync`.
    public func append(_ record: Record) throws(CollectorError) {
        try append(precision: record.precision, receivedNs: record.receivedNs) { $0 += record.body }
    }

    public var needsSync: Bool { synced < end }

    /// Makes every appended record durable.
    public func sync() throws(CollectorError) {
        guard needsSync else { return }
        guard files.sync(fd, dataOnly: true) == 0 else { throw .system("fdatasync \(Self.path(directory, segment))") }
        syncs += 1
        synced = end
    }

    /// Starts a new segment (after syncing this one) and returns its number: every record
    /// before it is in the older segments, which a snapshot can then replace.
    public func rotate() throws(CollectorError) -> Int {
        try sync()
        let next = segment + 1
        let path = Self.path(directory, next)
        let newFd = files.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard newFd >= 0 else { throw .system("open \(path)") }
        try FileIO.syncDirectory(directory, files: files)
        files.close(fd)
        fd = newFd
        segment = next
        end = Position(segment: next, offset: 0)
        synced = end
        return next
    }

    /// Deletes the segments before `segment`.
    public func removeSegments(before segment: Int) throws(CollectorError) {
        for number in try Self.segments(in: directory) where number < segment {
            let path = Self.path(directory, number)
            try shrink(path)
            guard files.unlink(path) == 0 else { throw .system("unlink \(path)") }
        }
        try FileIO.syncDirectory(directory, files: files)
    }

    /// Cuts a segment about to go down to `removalStepBytes` a step at a time, each step
    /// synced. On a file system that discards freed blocks as it commits (ext4 mounted with
    /// `discard`, as here), freeing a whole segment at once holds up that commit, and the log
    /// sync waiting on it, for a tenth of a second; a step's worth costs a few milliseconds.
    private func shrink(_ path: String) throws(CollectorError) {
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) > Self.removalStepBytes else { return }
        let fd = files.open(path, O_WRONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw .system("open \(path)") }
        defer { files.close(fd) }
        var size = Int(info.st_size)
        while size > Self.removalStepBytes {
            size -= Self.removalStepBytes
            guard files.truncate(path, size) == 0 else { throw .system("truncate \(path)") }
            guard files.sync(fd, dataOnly: false) == 0 else { throw .system("fsync \(path)") }
        }
    }

    static let removalStepBytes = 16 << 20

    /// Bytes in all segments.
    public func bytesOnDisk() -> Int {
        ((try? Self.segments(in: directory)) ?? []).reduce(0) { total, number in
            var info = stat()
            return total + (stat(Self.path(directory, number), &info) == 0 ? Int(info.st_size) : 0)
        }
    }
}

extension Precision {
    /// The byte a log record stores the precision as.
    var code: UInt8 { UInt8(Precision.allCases.firstIndex(of: self)!) }
}
