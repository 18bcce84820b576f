import Foundation
import Synchronization

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
    /// Appends and syncs the log on its own thread while it runs (`startLogWriter`).
    private var writer: LogWriter?
    private let compaction = CompactionState()
    /// The lines of the write being ingested that are kept, kept for its capacity.
    private var kept: [(point: Ledger.Point, bytes: Range<Int>)] = []

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
        ledger.apply(record.body, precision: record.precision, receivedNs: record.receivedNs)
    }

    /// Parses a write, refuses its bad lines and drops its lines of records stored before, then
    /// logs and counts the rest. They are durable after the next `sync`.
    ///
    /// The lines are read in place, once: what the ledger needs of each kept line waits in
    /// `kept` (its capacity reused from write to write) until the log has the lines.
    public func ingest(
        _ body: [UInt8], precision: Precision, receivedNs: Int64, source: Source = Source()
    ) throws(CollectorError) -> Ingest {
        var result = Ingest()
        ledger.seriesIndex.bound()
        let keptBytes = Self.read(body, precision: precision, receivedNs: receivedNs, source: source, ledger: &ledger, kept: &kept, result: &result)
        guard !kept.isEmpty else { return result }
        // Every line kept, as most writes are: the body is the record as it came.
        let whole = keptBytes == body.count
        func keptLines(_ stored: inout [UInt8]) {
            stored.reserveCapacity(stored.count + keptBytes)
            for line in kept {
                stored += body[line.bytes]
                stored.append(0x0A)
            }
        }
        if let writer {
            var stored = body
            if !whole {
                stored = []
                keptLines(&stored)
            }
            _ = writer.enqueue(.record(precision: precision, receivedNs: receivedNs, body: stored))
        } else {
            try wal.append(precision: precision, receivedNs: receivedNs) { stored in
                if whole { stored += body } else { keptLines(&stored) }
            }
        }
        Self.apply(kept, receivedNs: receivedNs, to: &ledger)
        result.accepted = kept.count
        return result
    }

    /// Reads a write's lines into `kept` and `result`, and returns the bytes the kept lines
    /// take with their newlines. Static, with the ledger and the list in place: a method
    /// reaching them through `self` would check exclusive access, or copy the ledger, per line.
    private static func read(
        _ body: [UInt8], precision: Precision, receivedNs: Int64, source: Source, ledger: inout Ledger,
        kept: inout [(point: Ledger.Point, bytes: Range<Int>)], result: inout Ingest
    ) -> Int {
        kept.removeAll(keepingCapacity: true)
        var keptBytes = 0
        var scanner = LineScanner(precision: precision)
        body.withUnsafeBufferPointer { buffer in
            scanner.scan(buffer) { number, bytes, parsed in
                switch parsed {
                case .failure(let error):
                    result.errors.append(error)
                case .success(let view):
                    let point = ledger.point(view, in: buffer, receivedNs: receivedNs)
                    if let error = check(point, line: number, from: source, ledger: ledger) {
                        result.errors.append(error)
                    } else if ledger.isStored(point) {
                        result.duplicates += 1
                    } else {
                        kept.append((point, bytes))
                        keptBytes += bytes.count + 1
                    }
                }
            }
        }
        return keptBytes
    }

    private static func apply(_ kept: [(point: Ledger.Point, bytes: Range<Int>)], receivedNs: Int64, to ledger: inout Ledger) {
        for line in kept { ledger.apply(line.point, receivedNs: receivedNs) }
    }

    static func check(_ point: Ledger.Point, line: Int, from source: Source, ledger: borrowing Ledger) -> LineProtocolError? {
        if let device = source.device, let tagged = ledger.device(of: point), tagged != device {
            return LineProtocolError(line: line, column: 1, reason: "device tag '\(tagged)' is not the writer's device '\(device)'")
        }
        if let seqs = source.seqs, let seq = point.seq, !seqs.contains(seq) {
            return LineProtocolError(line: line, column: 1, reason: "seq \(seq) outside the batch's \(seqs.lowerBound)...\(seqs.upperBound)")
        }
        return nil
    }

    /// Keeps totals per minute for `days` back from the newest minute counted; older minutes
    /// roll up into hours now and as they age (`CrossingTotals`). The next snapshot keeps it.
    public func setMinuteHorizon(days: Int) {
        ledger.totals.setHorizons(minuteS: Int64(days) * 86_400, hourS: max(Int64(days) * 86_400, ledger.totals.hourHorizonS))
    }

    /// Makes every ingested write durable: one `fdatasync` for all of them (with the log
    /// writer running, waits for it to have made them so).
    public func sync() throws(CollectorError) {
        if let writer {
            try writer.wait(for: writer.lastGeneration)
        } else {
            try wal.sync()
        }
    }

    /// Appends and syncs the log on a thread of its own from now on (`LogWriter`): `ingest`
    /// hands each write over, and `onDurable` is called, on that thread, after each sync.
    public func startLogWriter(onDurable: @escaping @Sendable () -> Void) {
        precondition(writer == nil, "the log writer is running already")
        writer = LogWriter(wal: wal, onDurable: onDurable)
    }

    /// Waits for everything handed to the log writer to be durable, and ends its thread.
    public func stopLogWriter() throws(CollectorError) {
        guard let writer else { return }
        try waitForCompaction()
        self.writer = nil
        try writer.stop()
    }

    /// The generation of the last write handed to the log writer: durable once
    /// `durableGeneration` reaches it. 0 without a writer.
    public var lastGeneration: Int { writer?.lastGeneration ?? 0 }

    /// What the log writer has made durable (without one: everything synced), and any failure.
    public var durable: (generation: Int, position: WriteAheadLog.Position, syncs: Int, failure: CollectorError?) {
        guard let writer else { return (0, wal.synced, wal.syncs, nil) }
        let state = writer.state
        return (state.generation, state.position, state.syncs, state.failure)
    }

    /// When the log has grown past its limit, starts a new segment, writes a snapshot of the
    /// ledger as of it, and deletes the segments before it, except those from `keepFrom` on
    /// (the relay has not sent them yet). With the log writer running, the snapshot is
    /// written on a thread of its own (one at a time), and a failure there comes back from
    /// the next call.
    public func compactIfNeeded(keepFrom: Int? = nil) throws(CollectorError) {
        if let failure = compaction.state.withLock({ $0.failure }) { throw failure }
        guard durable.position.offset >= compactBytes, !compaction.state.withLock({ $0.running }) else { return }
        try compact(keepFrom: keepFrom)
    }

    public func compact(keepFrom: Int? = nil) throws(CollectorError) {
        guard let writer else {
            let segment = try wal.rotate()
            try Self.writeSnapshot(ledger, throughSegment: segment, keepFrom: keepFrom, directory: directory, files: files, wal: wal)
            return
        }
        // The rotation goes in line after every write handed over, so the ledger as of now is
        // the ledger as of the new segment's start. The copy costs nothing until the loop
        // next changes the ledger, and then only what it changes.
        let generation = writer.enqueue(.rotate)
        try writer.wait(for: generation)
        let segment = writer.state.position.segment
        let job = SnapshotJob(ledger: ledger, segment: segment, keepFrom: keepFrom, directory: directory, files: files, wal: wal)
        let compaction = self.compaction
        compaction.state.withLock { $0.running = true }
        let thread = Thread {
            runInBackground()
            var failure: CollectorError?
            do throws(CollectorError) {
                try Self.writeSnapshot(job.ledger, throughSegment: job.segment, keepFrom: job.keepFrom, directory: job.directory, files: job.files, wal: job.wal)
            } catch {
                failure = error
            }
            compaction.state.withLock { $0 = Compaction(running: false, failure: failure) }
        }
        thread.name = "collector-compaction"
        thread.start()
    }

    /// Waits for a compaction running on its thread to end, and reports its failure.
    public func waitForCompaction() throws(CollectorError) {
        while compaction.state.withLock({ $0.running }) { usleep(1000) }
        if let failure = compaction.state.withLock({ $0.failure }) { throw failure }
    }

    /// Replaces the snapshot with `ledger` as of `segment`'s start, then deletes the segments
    /// it holds, but not those from `keepFrom` on. Touches none of the log's state but its
    /// directory, so that it can run beside the log writer.
    private static func writeSnapshot(
        _ ledger: Ledger, throughSegment segment: Int, keepFrom: Int?, directory: String, files: DurableFiles, wal: WriteAheadLog
    ) throws(CollectorError) {
        try FileIO.replace(path: directory + "/" + Snapshot.fileName, directory: directory, files: files) { write throws(CollectorError) in
            try Snapshot.write(ledger, throughSegment: segment, to: write)
        }
        try wal.removeSegments(before: min(segment, keepFrom ?? segment))
    }
}

/// A compaction on its own thread: whether one runs, and how the last one failed.
struct Compaction: Sendable {
    var running = false
    var failure: CollectorError?
}

final class CompactionState: Sendable {
    let state = Mutex(Compaction())
}

/// What a compaction on its own thread works with. Unchecked: the thread reads its copy of
/// the ledger, and of the log only its directory (`removeSegments`), which the log writer
/// does not touch; the files are the system's (a simulated file system runs no writer).
struct SnapshotJob: @unchecked Sendable {
    var ledger: Ledger
    var segment: Int
    var keepFrom: Int?
    var directory: String
    var files: DurableFiles
    var wal: WriteAheadLog
}
