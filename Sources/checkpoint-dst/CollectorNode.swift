import CrossingCollector
import CrossingSimulation
import Foundation

/// The collector's ingest and storage, in the simulation's process: device-protocol batches
/// judged and stored as the server does (`DeviceBatches`, `CollectorStore` on a real directory
/// behind a modelled page cache, `PageCacheFiles`), acknowledged only after the log is synced; a
/// crash that loses whatever was not synced and tears the log's tail, and a power cut that
/// loses whatever the store did not make durable with its own syncs.
final class CollectorNode {
    /// An answer waiting for the log to be synced, then for the network.
    struct Answer {
        var device: Int
        var connection: Int
        var bytes: [UInt8]
        /// For an answer held for the sync: an incarnation it gives, written after the time.
        var incarnation: Int64? = nil
    }

    /// Longest line the collector holds while it waits for the newline; past it the
    /// connection is broken, as the server's `line_bytes` limit does.
    static let lineBytesMax = 64 << 10
    static let compactBytes = 48 << 10

    let directory: String
    let keys: DeviceKeys
    let files = PageCacheFiles()
    private(set) var store: CollectorStore
    private var batches = DeviceBatches()
    /// Per device: the connection its pending bytes came on, and the lines of the batch so far.
    private var pending: [Int: (connection: Int, line: [UInt8], batch: [UInt8])] = [:]
    /// Answers for batches stored but not yet synced: a crash loses them.
    private var unsynced: [Answer] = []
    /// The count each stored `crossings` line of a record carried, by device, seq, lane, class
    /// and direction: a record number must never come back with other counts, since the store
    /// would drop it as a resend and the difference would be lost.
    private var counts: [RecordLine: Int64] = [:]

    /// One `crossings` line of a record: its device incarnation and number, and the rest of
    /// its tags.
    private struct RecordLine: Hashable {
        var origin: DeviceIncarnation
        var seq: Int64
        var lane: String
        var crossingClass: String
        var direction: String
    }
    private(set) var crashes = 0
    private(set) var powerCuts = 0
    private(set) var batchesStored = 0
    private(set) var batchesRepeated = 0
    private(set) var batchesRefused = 0
    /// Wall time, ns since 1970, as the collector's clock reads it (steps and all).
    var nowNs: Int64

    init(directory: String, keys: DeviceKeys, nowNs: Int64) throws(CollectorError) {
        self.directory = directory
        self.keys = keys
        self.nowNs = nowNs
        store = try CollectorStore(directory: directory, compactBytes: Self.compactBytes, files: files) { _ in }
    }

    /// Takes bytes a device sent on `connection`. Returns answers to send now (a refusal), and
    /// whether the collector broke the connection. A negative connection is a copy the network
    /// delivers on a connection of its own: it starts from nothing and leaves the device's open
    /// connection, and its half-received line, as they were.
    func receive(device: Int, connection: Int, bytes: [UInt8]) throws -> (answers: [Answer], broke: Bool) {
        let ghost = connection < 0
        var state: (connection: Int, line: [UInt8], batch: [UInt8]) = ghost ? (connection, [], []) : pending[device] ?? (connection, [], [])
        if state.connection != connection { state = (connection, [], []) }
        var answers: [Answer] = []
        for byte in bytes {
            state.line.append(byte)
            guard byte == 0x0A else {
                if state.line.count > Self.lineBytesMax {
                    if !ghost { pending[device] = nil }
                    return (answers, true)
                }
                continue
            }
            let line = state.line
            state.line = []
            guard line.starts(with: Array("# batch ".utf8)) else {
                state.batch += line
                continue
            }
            let judged = try batches.accept(
                lines: state.batch, trailer: Array(line.dropLast()), keys: keys, store: store, receivedNs: nowNs)
            if case .refused = judged.verdict {} else { try checkCounts(state.batch) }
            if let error = judged.ingest?.errors.first {
                throw Failure("device \(device): a line of a batch the collector took was refused: \(error)")
            }
            state.batch = []
            switch judged.verdict {
            case .stored(_, let last, let incarnation):
                batchesStored += 1
                unsynced.append(Answer(device: device, connection: connection, bytes: Array("ack \(last) ".utf8), incarnation: incarnation))
            case .repeated(_, _, let last):
                batchesRepeated += 1
                unsynced.append(Answer(device: device, connection: connection, bytes: Array("ack \(last) ".utf8)))
            case .refused(let reason, _):
                batchesRefused += 1
                answers.append(Answer(device: device, connection: connection, bytes: Array("nack \(reason)\n".utf8)))
                if !ghost { pending[device] = nil }
                return (answers, true)
            }
        }
        if !ghost { pending[device] = state }
        return (answers, false)
    }

    /// Throws when a line of a record stored before carries another count than it did.
    private func checkCounts(_ lines: [UInt8]) throws(Failure) {
        for line in LineParser.parse(lines, precision: .ns) {
            guard case .success(let point) = line.result, point.measurement == "crossings",
                case .int(let seq)? = point.fields.first(where: { $0.key == "seq" })?.value,
                case .int(let count)? = point.fields.first(where: { $0.key == "count" })?.value
            else { continue }
            func tag(_ name: String) -> String { point.tags.first { $0.key == name }?.value ?? "" }
            let key = RecordLine(
                origin: DeviceIncarnation(device: tag("device"), incarnation: Int64(tag("incarnation")) ?? 0), seq: seq,
                lane: tag("lane"), crossingClass: tag("class"), direction: tag("direction"))
            if let before = counts[key], before != count {
                throw Failure(
                    "record \(key.origin.device) incarnation \(key.origin.incarnation) seq=\(key.seq) \(key.lane) "
                        + "\(key.crossingClass) \(key.direction) came again with count \(count) after \(before) was stored: "
                        + "the store drops it as a resend")
            }
            counts[key] = count
        }
    }

    /// The group commit: syncs the log, then releases the answers it held, stamped with the
    /// collector's time. Compacts the log into a snapshot when it has grown.
    func commit() throws(CollectorError) -> [Answer] {
        try store.sync()
        try store.compactIfNeeded()
        defer { unsynced = [] }
        return unsynced.map { answer in
            var answer = answer
            answer.bytes += Array("\(nowNs)\(answer.incarnation.map { " \($0)" } ?? "")\n".utf8)
            return answer
        }
    }

    /// Bytes the collector holds for unfinished lines and batches: bounded by the limits.
    var bufferedBytes: Int { pending.values.reduce(0) { $0 + $1.line.count + $1.batch.count } }

    /// Crashes and restarts: unsynced answers are lost, the log keeps what was synced and a
    /// torn part (`keepPermille` of the rest), and the store opens again from disk, cutting the
    /// torn tail off as a real start does.
    func crash(keepPermille: UInt64) throws(CollectorError) {
        crashes += 1
        unsynced = []
        pending = [:]
        let wal = store.wal
        let path = directory + "/wal/" + String(format: "%08d.log", wal.segment)
        let unsyncedBytes = wal.end.offset - wal.synced.offset
        let kept = wal.synced.offset + unsyncedBytes * Int(keepPermille) / 1000
        guard truncate(path, off_t(kept)) == 0 else { throw CollectorError("truncate \(path): \(String(cString: strerror(errno)))") }
        try restart()
    }

    /// The collector's power fails: unsynced answers are lost, and the disk keeps only what the
    /// store made durable (`PageCacheFiles.cutPower`). Then it starts again from the disk.
    func cutPower(random: inout SplitMix64) throws {
        powerCuts += 1
        unsynced = []
        pending = [:]
        try files.cutPower(random: &random)
        try restart()
    }

    /// Opens the store again from disk, as a start does.
    private func restart() throws(CollectorError) {
        store = try CollectorStore(directory: directory, compactBytes: Self.compactBytes, files: files) { _ in }
        // Records the crash lost may come again otherwise: forget their counts.
        counts = counts.filter { store.ledger.storedSeqs(of: $0.key.origin)?.contains($0.key.seq) ?? false }
    }

    /// The crossings stored for one device, lane, class and direction, over all minutes and
    /// all its incarnations.
    func total(device: String, lane: String, crossingClass: String, direction: String) -> Int64 {
        store.ledger.totals.reduce(0) { sum, entry in
            let key = entry.key
            return key.device == device && key.lane == lane && key.crossingClass == crossingClass && key.direction == direction
                ? sum + entry.value : sum
        }
    }

    /// The crossings stored for one device incarnation, lane, class and direction: the sum of
    /// its stored records' lines.
    func total(_ origin: DeviceIncarnation, lane: String, crossingClass: String, direction: String) -> Int64 {
        counts.reduce(0) { sum, entry in
            let key = entry.key
            return key.origin == origin && key.lane == lane && key.crossingClass == crossingClass && key.direction == direction
                ? sum + entry.value : sum
        }
    }
}
