import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Forwards the accepted lines to a larger store (InfluxDB or VictoriaMetrics `/write`), from
/// the write-ahead log, behind its own durable cursor (`relay.cursor` in the data directory:
/// `SEGMENT OFFSET`). It reads only what the log has synced, posts it in batches, and moves
/// the cursor past a batch only when the store answered 2xx; a failure is retried with
/// backoff, so the store gets every line at least once, in order. Lines the collector
/// stamped on arrival get that stamp written out, so a retry lands on the same point.
public final class Relay: @unchecked Sendable {
    struct State {
        var durable = WriteAheadLog.Position(segment: 0, offset: 0)
        var cursor: WriteAheadLog.Position
        var stopped = false
    }

    static let batchBytesMax = 1 << 20
    public let url: String
    let walDirectory: String
    let cursorPath: String
    let dataDirectory: String
    let log: @Sendable (String) -> Void
    private let state: Mutex<State>
    private let relayed = Atomic<Int64>(0)
    private let failed = Atomic<Int64>(0)

    /// `url` is the store's write endpoint with its query (`http://HOST:PORT/write?db=NAME`).
    public init(url: String, dataDirectory: String, log: @escaping @Sendable (String) -> Void) throws(CollectorError) {
        _ = try HTTPClient.split(url)
        self.url = url
        self.dataDirectory = dataDirectory
        self.walDirectory = dataDirectory + "/wal"
        self.cursorPath = dataDirectory + "/relay.cursor"
        self.log = log
        var cursor = WriteAheadLog.Position(segment: 1, offset: 0)
        if let bytes = try FileIO.read(path: cursorPath) {
            let parts = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace)
            guard parts.count == 2, let segment = Int(parts[0]), let offset = Int(parts[1]) else {
                throw CollectorError("\(cursorPath): expected 'SEGMENT OFFSET'")
            }
            cursor = WriteAheadLog.Position(segment: segment, offset: offset)
        } else if let first = try? WriteAheadLog.segments(in: walDirectory).first {
            cursor.segment = first
        }
        state = Mutex(State(cursor: cursor))
    }

    public var linesRelayed: Int64 { relayed.load(ordering: .relaxed) }
    public var failures: Int64 { failed.load(ordering: .relaxed) }
    /// The oldest segment the relay still needs.
    public var cursorSegment: Int { state.withLock { $0.cursor.segment } }
    public var cursor: WriteAheadLog.Position { state.withLock { $0.cursor } }

    /// Tells the relay how far the log is synced.
    public func publish(durable: WriteAheadLog.Position) {
        state.withLock { $0.durable = durable }
    }

    public func stop() { state.withLock { $0.stopped = true } }

    /// Runs on a thread of its own until `stop`.
    public func start() -> Thread {
        let thread = Thread { [self] in run() }
        thread.start()
        return thread
    }

    func run() {
        var backoffMs = 500
        while !state.withLock({ $0.stopped }) {
            let (cursor, durable) = state.withLock { ($0.cursor, $0.durable) }
            guard cursor < durable else {
                usleep(50_000)
                continue
            }
            do throws(CollectorError) {
                try relayOnce(from: cursor, durable: durable)
                backoffMs = 500
            } catch {
                failed.add(1, ordering: .relaxed)
                log("relay to \(url): \(error); retrying in \(backoffMs) ms")
                for _ in 0..<(backoffMs / 50) where !state.withLock({ $0.stopped }) { usleep(50_000) }
                backoffMs = min(backoffMs * 2, 60_000)
            }
        }
    }

    /// Sends the next batch after `cursor` and moves the cursor past it.
    func relayOnce(from cursor: WriteAheadLog.Position, durable: WriteAheadLog.Position) throws(CollectorError) {
        let path = WriteAheadLog.path(walDirectory, cursor.segment)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open \(path)") }
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        let end = cursor.segment == durable.segment ? min(durable.offset, size) : size
        if cursor.offset >= end {
            // This segment is done; the log has moved on to a later one.
            try advance(to: WriteAheadLog.Position(segment: cursor.segment + 1, offset: 0), lines: 0)
            return
        }
        var body: [UInt8] = []
        var precision: Precision?
        var lines = 0
        var offset = cursor.offset
        while offset < end && body.count < Self.batchBytesMax {
            let header = try FileIO.read(fd, offset: offset, count: WriteAheadLog.headerBytes, path: path)
            guard header.count == WriteAheadLog.headerBytes else { throw CollectorError("\(path): offset \(offset): torn record") }
            let length = Int(header.span.loadLittleEndian(at: 0, as: UInt32.self))
            var found: (record: WriteAheadLog.Record, next: Int)?
            var problem = "record length \(length) out of range"
            if length <= WriteAheadLog.recordBytesMax && offset + WriteAheadLog.headerBytes + length <= end {
                let bytes = try FileIO.read(fd, offset: offset, count: WriteAheadLog.headerBytes + length, path: path)
                switch SegmentScan.record(in: bytes, at: 0) {
                case .success(let record): found = record
                case .failure(let failure): problem = failure.reason
                }
            }
            guard let found else {
                // Damage below the durable end: skip to the next intact record, as the store
                // did when it opened the log.
                let rest = try FileIO.read(fd, offset: offset, count: end - offset, path: path)
                guard let next = SegmentScan.nextRecord(in: rest, after: 0) else { throw CollectorError("\(path): offset \(offset): \(problem)") }
                log("relay: \(path): offset \(offset): \(problem); \(next) bytes skipped")
                offset += next
                continue
            }
            let record = found.record
            if let precision, precision != record.precision { break }
            precision = record.precision
            for line in LineParser.parse(record.body, precision: record.precision) {
                guard case .success(let point) = line.result else { continue }
                body += record.body[line.bytes]
                if point.timestampNs == nil { body += Array(" \(record.receivedNs / record.precision.nanoseconds)".utf8) }
                body.append(0x0A)
                lines += 1
            }
            offset += found.next
        }
        let separator = url.contains("?") ? "&" : "?"
        let response = try HTTPClient.request("POST", url + separator + "precision=\(precision?.rawValue ?? "n")", body: body)
        guard (200..<300).contains(response.status) else {
            throw CollectorError("HTTP \(response.status): \(response.text.prefix(200))")
        }
        try advance(to: WriteAheadLog.Position(segment: cursor.segment, offset: offset), lines: lines)
    }

    private func advance(to cursor: WriteAheadLog.Position, lines: Int) throws(CollectorError) {
        try FileIO.replace(
            path: cursorPath, with: Array("\(cursor.segment) \(cursor.offset)\n".utf8), directory: dataDirectory, files: SystemFiles.shared)
        state.withLock { $0.cursor = cursor }
        relayed.add(Int64(lines), ordering: .relaxed)
    }
}
