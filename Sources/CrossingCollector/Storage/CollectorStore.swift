/// The collector's durable state: the write-ahead log, the snapshot that compacts it, and the
/// ledger rebuilt from both. One thread owns it (the server's loop, or a report).
public final class CollectorStore {
    /// What became of one write.
    public struct Ingest: Sendable {
        /// Lines stored.
        public var accepted = 0
        /// Lines of records stored before: dropped, and not an error (a resend).
        public var duplicates = 0
        /// Lines refused, each with its line, column and reason.
        public var errors: [LineProtocolError] = []
    }

    /// Who a write comes from, and what it may hold.
    public struct Source: Sendable {
        /// The authenticated device: lines naming another `device` are refused.
        public var device: String?
        /// The record numbers a device-protocol batch announced: lines outside are refused.
        public var seqs: ClosedRange<Int64>?

        public init(device: String? = nil, seqs: ClosedRange<Int64>? = nil) {
            self.device = device
            self.seqs = seqs
        }
    }

    /// The log grows to this many bytes before it is compacted into a snapshot.
    public static let compactBytesDefault = 256 << 20

    public private(set) var ledger = Ledger()
    public let wal: WriteAheadLog
    let directory: String
    let compactBytes: Int
    let files: DurableFiles

    /// Opens (creating) the store in `directory`: loads the snapshot, replays the log after it,
    /// and cuts off a torn tail, telling `warn` what it dropped. Writes, syncs and directory
    /// changes go through `files`.
    public init(
        directory: String, compactBytes: Int = compactBytesDefault, files: DurableFiles = SystemFiles.shared,
        warn: (String) -> Void
    ) throws(CollectorError) {
        try FileIO.makeDirectory(directory)
        self.directory = directory
        self.compactBytes = compactBytes
        self.files = files
        var ledger = Ledger()
        var firstSegment = 1
        let snapshotPath = directory + "/" + Snapshot.fileName
        if let bytes = try FileIO.read(path: snapshotPath) {
            (ledger, firstSegment) = try Snapshot.decode(bytes, path: snapshotPath)
        }
        wal = try WriteAheadLog(directory: directory + "/wal", firstSegment: firstSegment, files: files, warn: warn) { record in
            Self.apply(record, to: &ledger)
        }
        // The log's directory is an entry here: durable only once this directory is synced.
        try FileIO.syncDirectory(directory, files: files)
        self.ledger = ledger
    }

    /// The ledger of the store in `directory` as of now, read without changing anything, so
    /// that a report can run beside a live collector.
    public static func readLedger(directory: String, warn: (String) -> Void) throws(CollectorError) -> Ledger {
        var ledger = Ledger()
        var firstSegment = 1
        let snapshotPath = directory + "/" + Snapshot.fileName
        if let bytes = try FileIO.read(path: snapshotPath) {
            (ledger, firstSegment) = try Snapshot.decode(bytes, path: snapshotPath)
        }
        try WriteAheadLog.read(directory: directory + "/wal", firstSegment: firstSegment, warn: warn) { record in
            apply(record, to: &ledger)
        }
        return ledger
    }

    static func apply(_ record: WriteAheadLog.Record, to ledger: inout Ledger) {
        for line in LineParser.parse(record.body, precision: record.precision) {
            if case .success(let point) = line.result { ledger.apply(point, receivedNs: record.receivedNs) }
        }
    }

    /// Parses a write, refuses its bad lines and drops its lines of records stored before, then
    /// logs and counts the rest. They are durable after the next `sync`.
    public func ingest(
        _ body: [UInt8], precision: Precision, receivedNs: Int64, source: Source = Source()
    ) throws(CollectorError) -> Ingest {
        var result = Ingest()
        var kept: [(point: ParsedPoint, bytes: Range<Int>)] = []
        for line in LineParser.parse(body, precision: precision) {
            switch line.result {
            case .failure(let error):
                result.errors.append(error)
            case .success(let point):
                if let error = Self.check(point, line: line.number, from: source) {
                    result.errors.append(error)
                } else if ledger.isStored(point) {
                    result.duplicates += 1
                } else {
                    kept.append((point, line.bytes))
                }
            }
        }
        guard !kept.isEmpty else { return result }
        var stored: [UInt8] = []
        stored.reserveCapacity(kept.reduce(0) { $0 + $1.bytes.count + 1 })
        for line in kept {
            stored += body[line.bytes]
            stored.append(0x0A)
        }
        try wal.append(WriteAheadLog.Record(precision: precision, receivedNs: receivedNs, body: stored))
        for line in kept { ledger.apply(line.point, receivedNs: receivedNs) }
        result.accepted = kept.count
        return result
    }

    static func check(_ point: ParsedPoint, line: Int, from source: Source) -> LineProtocolError? {
        let tagged = point.tags.first { $0.key == "device" }?.value
        if let device = source.device, let tagged, tagged != device {
            return LineProtocolError(line: line, column: 1, reason: "device tag '\(tagged)' is not the writer's device '\(device)'")
        }
        if let seqs = source.seqs {
            guard case .int(let seq)? = point.fields.first(where: { $0.key == "seq" })?.value else { return nil }
            if !seqs.contains(seq) {
                return LineProtocolError(line: line, column: 1, reason: "seq \(seq) outside the batch's \(seqs.lowerBound)...\(seqs.upperBound)")
            }
        }
        return nil
    }

    /// Keeps totals per minute for `days` back from the newest minute counted; older minutes
    /// roll up into hours now and as they age (`CrossingTotals`). The next snapshot keeps it.
    public func setMinuteHorizon(days: Int) {
        ledger.totals.setHorizons(minuteS: Int64(days) * 86_400, hourS: max(Int64(days) * 86_400, ledger.totals.hourHorizonS))
    }

    /// Makes every ingested write durable: one `fdatasync` for all of them.
    public func sync() throws(CollectorError) { try wal.sync() }

    /// When the log has grown past its limit, starts a new segment, writes a snapshot of the
    /// ledger as of it, and deletes the segments before it, except those from `keepFrom` on
    /// (the relay has not sent them yet).
    public func compactIfNeeded(keepFrom: Int? = nil) throws(CollectorError) {
        guard wal.end.offset >= compactBytes else { return }
        try compact(keepFrom: keepFrom)
    }

    public func compact(keepFrom: Int? = nil) throws(CollectorError) {
        let segment = try wal.rotate()
        try FileIO.replace(path: directory + "/" + Snapshot.fileName, directory: directory, files: files) { write throws(CollectorError) in
            try Snapshot.write(ledger, throughSegment: segment, to: write)
        }
        try wal.removeSegments(before: min(segment, keepFrom ?? segment))
    }
}
