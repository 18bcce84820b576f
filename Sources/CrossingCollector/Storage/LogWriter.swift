import Foundation

/// The pipeline's second core: appends records to the write-ahead log and syncs it on a
/// thread of its own, so that the thread reading and parsing writes never waits on the disk
/// and never spends its time copying and checksumming records.
///
/// The loop hands over each accepted write as it is (its lines share the request's buffer,
/// nothing copied) and numbers it: its generation. The writer takes everything handed over
/// since its last turn, appends it, syncs once (the group commit), and then says that every
/// generation up to the last it took is durable, through `onDurable` and `durableGeneration`.
/// An answer that promises durability waits for its generation. A rotation of the log is
/// handed over the same way, so that it falls between the records it must fall between.
///
/// A write or sync that fails stops the writer: nothing after it becomes durable, and the
/// failure is reported to every waiter. The collector then exits, and a restart replays the log.
final class LogWriter: @unchecked Sendable {
    enum Entry {
        case record(precision: Precision, receivedNs: Int64, body: [UInt8])
        case rotate
    }

    /// What the writer has done, as of its last sync.
    struct Durable {
        /// Every generation up to this is on disk.
        var generation = 0
        /// The log's end, synced.
        var position: WriteAheadLog.Position
        var syncs = 0
        var failure: CollectorError?
    }

    private let wal: WriteAheadLog
    private let onDurable: @Sendable () -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Entry] = []
    private var handedOver = 0
    private var durable: Durable
    private var stopping = false
    private var finished = false

    /// Starts the writer's thread over `wal`, which from now on only it touches until `stop`.
    init(wal: WriteAheadLog, onDurable: @escaping @Sendable () -> Void) {
        self.wal = wal
        self.onDurable = onDurable
        durable = Durable(position: wal.synced, syncs: wal.syncs)
        let thread = Thread { [self] in run() }
        thread.name = "collector-log"
        thread.start()
    }

    /// Hands `entry` over; returns its generation.
    func enqueue(_ entry: Entry) -> Int {
        condition.lock()
        defer { condition.unlock() }
        precondition(!stopping, "an entry handed over after stop")
        queue.append(entry)
        handedOver += 1
        condition.broadcast()
        return handedOver
    }

    /// The generation of the last entry handed over.
    var lastGeneration: Int {
        condition.lock()
        defer { condition.unlock() }
        return handedOver
    }

    var state: Durable {
        condition.lock()
        defer { condition.unlock() }
        return durable
    }

    /// Waits until `generation` is durable, or the writer has failed.
    func wait(for generation: Int) throws(CollectorError) {
        condition.lock()
        defer { condition.unlock() }
        while durable.generation < generation && durable.failure == nil { condition.wait() }
        if let failure = durable.failure { throw failure }
    }

    /// Waits for everything handed over to be durable, then ends the thread. The log is the
    /// caller's again afterwards.
    func stop() throws(CollectorError) {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        let failure = durable.failure
        condition.unlock()
        if let failure { throw failure }
    }

    private func run() {
        var taken: [Entry] = []
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&taken, &queue)
            let generation = handedOver
            condition.unlock()
            var failure: CollectorError?
            do throws(CollectorError) {
                for entry in taken {
                    switch entry {
                    case .record(let precision, let receivedNs, let body):
                        try wal.append(precision: precision, receivedNs: receivedNs) { $0 += body }
                    case .rotate:
                        _ = try wal.rotate()
                    }
                }
                try wal.sync()
            } catch {
                failure = error
            }
            taken.removeAll(keepingCapacity: true)
            condition.lock()
            if let failure {
                durable.failure = failure
                queue.removeAll()
                finished = true
            } else {
                durable.generation = generation
                durable.position = wal.synced
                durable.syncs = wal.syncs
            }
            let done = finished
            condition.broadcast()
            condition.unlock()
            onDurable()
            if done { return }
        }
    }
}
