/// A closed bin of one lane on its way to the export target, with its device-wide sequence
/// number and, once the device knows wall time, its wall-clock start.
public struct OutboxRecord: Sendable, Equatable {
    /// One more than the record pushed before it, device-wide; never reused, so a receiver can
    /// drop a record it has stored already. A merged record keeps the first one's number.
    public var seq: UInt32
    public var lane: UInt8
    public var bin: IntervalBin
    /// Wall-clock start of the bin, ns since 1970; nil until the device learns wall time.
    public var wallStartNs: Int64?
    /// Closed bins this record holds: more than one once the outbox has merged it.
    public var binsMerged: UInt16 = 1
    /// The highest sequence number merged into this record: `seq` until it absorbs another.
    public var lastSeq: UInt32

    public init(seq: UInt32, lane: UInt8, bin: IntervalBin) {
        self.seq = seq
        self.lane = lane
        self.bin = bin
        lastSeq = seq
    }
}

/// The records not yet acknowledged by the export target, oldest first, in fixed memory.
///
/// Counting never waits for the link: when the outbox is full, the oldest record never sent is
/// merged with the next such record of the same lane into one coarser bin (counts and frames
/// summed, the interval spanning both), so every total stays exact and only time resolution is
/// lost, oldest first. `binsMergedAway` counts the bins that lost their own row.
///
/// Records are sent oldest first; `sentCount` of them wait for an acknowledgement, which
/// removes them. A lost connection sends them again: the receiver drops sequence numbers it
/// has, so nothing is counted twice. For that, a record that has gone out even once is never
/// merged (`frozenCount`): the receiver may have stored it with its ack lost, and would drop
/// the merged record, later bins and all, as a resend. When no two unfrozen records of a lane
/// are left to merge, the outbox has no room (`hasRoom`) and the firmware leaves closed bins
/// with their lane's core, which merges them in turn.
public struct Outbox<let capacity: Int> {
    /// Records the outbox holds before it merges.
    public static var recordsMax: Int { capacity }
    private var records = InlineArray<capacity, OutboxRecord>(repeating: OutboxRecord(seq: 0, lane: 0, bin: IntervalBin()))
    public private(set) var count = 0
    /// Records at the front sent and awaiting an acknowledgement; never merged.
    public private(set) var sentCount = 0
    /// Records at the front that may have reached the receiver: sent at least once, or put
    /// back from flash after a reboot (which does not know). Never merged.
    public private(set) var frozenCount = 0
    /// The sequence number the next record gets.
    public private(set) var nextSeq: UInt32 = 1
    /// Bins that were merged into an older record of their lane to make room.
    public private(set) var binsMergedAway: UInt64 = 0
    /// Every record numbered up to this has left, acknowledged or refused (with the bins a
    /// merged record among them absorbed; other lanes' later numbers may still be here).
    public private(set) var settledThroughSeq: UInt32 = 0
    /// Index of the record the last merge changed, for the firmware to persist it; nil once
    /// taken.
    public private(set) var lastMerged: Int?
    /// The last wall-clock start stamped for each lane, so a lane's stamps only ever rise.
    private var lastStampNs = InlineArray<8, Int64>(repeating: Int64.min)

    /// An outbox that numbers its records from `nextSeq` (after a reboot: one past the
    /// last number the journal saw handed out).
    public init(nextSeq: UInt32 = 1) {
        reset(nextSeq: nextSeq)
    }

    /// Empties the outbox in place, as `init(nextSeq:)` builds it: a device with no heap boots
    /// it in static memory, where a new outbox would need a second copy on the stack.
    public mutating func reset(nextSeq: UInt32 = 1) {
        precondition(capacity >= 16, "an outbox needs room to merge")
        count = 0
        sentCount = 0
        frozenCount = 0
        self.nextSeq = nextSeq
        binsMergedAway = 0
        settledThroughSeq = nextSeq &- 1
        lastMerged = nil
        for lane in lastStampNs.indices { lastStampNs[lane] = Int64.min }
    }

    /// Numbers the next record from `seq` on, unless it already numbers past it: after a
    /// reboot, one past the last number handed out before, so none is used twice.
    public mutating func numberFrom(_ seq: UInt32) {
        if seq &- nextSeq < 0x8000_0000 { nextSeq = seq }
    }

    /// The record at `index`, for readers on a host. It copies the outbox to read it (Swift
    /// reads a large struct through a non-mutating accessor from a copy on the stack); device
    /// code reads in place with `record(_:)`.
    public subscript(index: Int) -> OutboxRecord {
        var copy = self
        return copy.record(index)
    }

    /// The record at `index`, read in place: `mutating` only so that Swift reads it where it
    /// lies instead of copying the whole outbox to the stack (docs/embedded.md, "Stack").
    public mutating func record(_ index: Int) -> OutboxRecord {
        precondition(index >= 0 && index < count)
        return records[index]
    }

    /// Whether `push` can take a bin: a free slot, or two unfrozen records of a lane to merge.
    /// `mutating` to read in place (see `record`).
    public var hasRoom: Bool {
        mutating get { count < capacity || mergeablePair() != nil }
    }

    /// Adds a closed bin of `lane` and returns its sequence number. When full, merges first;
    /// only when `hasRoom`.
    @discardableResult
    public mutating func push(lane: UInt8, bin: IntervalBin) -> UInt32 {
        precondition(lane < 8)
        if count == capacity {
            guard let pair = mergeablePair() else { preconditionFailure("push without room: check hasRoom first") }
            merge(pair.second, into: pair.first)
        }
        let seq = nextSeq
        nextSeq &+= 1
        records[count] = OutboxRecord(seq: seq, lane: lane, bin: bin)
        count += 1
        return seq
    }

    /// The index of the record the last merge changed, once: the firmware writes it to flash.
    public mutating func takeLastMerged() -> Int? {
        defer { lastMerged = nil }
        return lastMerged
    }

    /// Replays a record the journal kept, after a reboot, in the order the journal wrote
    /// them: a later copy of a record replaces the earlier one, the others go in sequence
    /// order, and a merged record removes the records of its lane it absorbed. A record
    /// settled already (numbered through `settledThroughSeq`) is not put back, but still
    /// removes what it absorbed.
    public mutating func replay(_ record: OutboxRecord, settledThroughSeq settled: UInt32) {
        precondition(record.lane < 8)
        var (index, present) = position(of: record.seq)
        if record.seq > settled && !present && count == capacity {
            // More live records than fit: the log never holds that, but flash is not trusted.
            guard let pair = mergeablePair() else { return }
            merge(pair.second, into: pair.first)
            (index, present) = position(of: record.seq)
        }
        var next = index
        if record.seq > settled {
            if !present {
                for move in stride(from: count, to: index, by: -1) { records[move] = records[move - 1] }
                count += 1
            }
            records[index] = record
            next = index + 1
            if record.lastSeq &- nextSeq < 0x8000_0000 { nextSeq = record.lastSeq &+ 1 }
            if let stamp = record.wallStartNs {
                lastStampNs[Int(record.lane)] = max(lastStampNs[Int(record.lane)], stamp)
            }
        } else if present {
            remove(at: index)
        }
        // Other lanes' records in the absorbed range are not its own.
        var kept = next
        for scan in next..<count {
            if records[scan].lane == record.lane && records[scan].seq <= record.lastSeq { continue }
            records[kept] = records[scan]
            kept += 1
        }
        count = kept
    }

    /// Marks every record held as possibly received: after a reboot replayed them, nothing
    /// tells which went out before the power failed.
    public mutating func freezeAll() {
        frozenCount = count
    }

    /// Stamps every record without a wall-clock start, given wall time = monotonic time +
    /// `offsetNs`. Stamps of a lane only ever rise: after the wall clock steps back, a bin
    /// starts 1 ns after the last one stamped, rather than on top of it, where a time-series
    /// store would let it overwrite the other.
    /// Returns the indices stamped now.
    @discardableResult
    public mutating func stamp(offsetNs: Int64) -> Range<Int> {
        var first = count
        for index in 0..<count where records[index].wallStartNs == nil {
            first = min(first, index)
            let lane = Int(records[index].lane)
            let wall = Int64(truncatingIfNeeded: records[index].bin.startUs &* 1000) &+ offsetNs
            let stamp = lastStampNs[lane] == Int64.min ? wall : max(wall, lastStampNs[lane] &+ 1)
            records[index].wallStartNs = stamp
            lastStampNs[lane] = stamp
        }
        return first..<count
    }

    /// Records ready to send: unsent, and stamped. `mutating` to read in place (see `record`).
    public var sendableCount: Int {
        mutating get {
            var ready = 0
            while sentCount + ready < count && records[sentCount + ready].wallStartNs != nil { ready += 1 }
            return ready
        }
    }

    /// The first `sent` of the sendable records have gone out.
    public mutating func markSent(_ sent: Int) {
        precondition(sent >= 0 && sent <= sendableCount)
        sentCount += sent
        frozenCount = max(frozenCount, sentCount)
    }

    /// The target has stored every sent record up to `seq`: they leave the outbox. Returns
    /// how many left.
    @discardableResult
    public mutating func acknowledge(throughSeq seq: UInt32) -> Int {
        var done = 0
        while done < sentCount && seq &- records[done].seq < 0x8000_0000 { done += 1 }
        if done > 0 { settledThroughSeq = records[done - 1].seq }
        remove(first: done)
        sentCount -= done
        frozenCount -= done
        return done
    }

    /// The connection broke: every sent record goes again.
    public mutating func resendAll() {
        sentCount = 0
    }

    /// Drops the sent records as refused (the target answered that it will never take them).
    public mutating func dropSent() -> Int {
        let dropped = sentCount
        if dropped > 0 { settledThroughSeq = records[dropped - 1].seq }
        remove(first: dropped)
        sentCount = 0
        frozenCount -= dropped
        return dropped
    }

    /// The oldest unfrozen record and the next record of its lane, to merge; when that lane has
    /// no other, the next oldest record's. Nil when no lane has two unfrozen records.
    private mutating func mergeablePair() -> (first: Int, second: Int)? {
        for first in frozenCount..<count {
            for second in (first + 1)..<count where records[second].lane == records[first].lane {
                return (first, second)
            }
        }
        return nil
    }

    private mutating func merge(_ second: Int, into first: Int) {
        let later = records[second]
        var earlier = records[first]
        earlier.bin = earlier.bin.merged(with: later.bin)
        earlier.binsMerged &+= later.binsMerged
        earlier.lastSeq = later.lastSeq
        records[first] = earlier
        lastMerged = first
        remove(at: second)
        binsMergedAway &+= UInt64(later.binsMerged)
    }

    /// Where the record numbered `seq` is, or would go in sequence order, and whether it is
    /// there. `mutating` to read in place (see `record`).
    private mutating func position(of seq: UInt32) -> (index: Int, present: Bool) {
        var index = 0
        while index < count && records[index].seq < seq { index += 1 }
        return (index, index < count && records[index].seq == seq)
    }

    private mutating func remove(at index: Int) {
        for move in index..<(count - 1) { records[move] = records[move + 1] }
        count -= 1
    }

    private mutating func remove(first removed: Int) {
        guard removed > 0 else { return }
        for index in removed..<count { records[index - removed] = records[index] }
        count -= removed
    }
}
