import CrossingCore
import CrossingDevice

/// The outbox in flash: a log of fixed 100-byte entries in a ring of sectors, so that a power
/// cut loses no closed bin that was not yet acknowledged (docs/journal.md, "The outbox log").
///
/// Every change to the RAM outbox is appended: a record when a bin closes, the merged record
/// (with the last sequence number it absorbed) when the outbox merges, an ack when the target
/// acknowledges through a sequence number. Restore replays them. Each entry carries a CRC and,
/// last, a commit marker, as the journal's slots do; a torn entry is not replayed.
///
/// On entering a sector the log erases it and first copies into it the live records of the
/// sector after it, the next to be erased: so erasing never loses what the outbox holds. A
/// sector has 40 entries, so one sector's live records always fit the next.
struct OutboxLog {
    static var entryBytes: Int { 100 }
    static var crcOffset: Int { 92 }
    static var markerOffset: Int { 96 }
    static var magic: UInt16 { 0x4F43 }  // "CO"
    static var committed: UInt32 { 0x0C0D_1A5A }
    /// Entries a sector change can look over at once: every entry of a four-sector log.
    static var replayMax: Int { 160 }
    /// Record numbers are below this; an entry past it is not the device's.
    static var seqLimit: UInt32 { 0x8000_0000 }

    enum Kind: UInt8 {
        case record = 1
        case ack = 2
    }

    let firstSector: Int
    let sectors: Int
    let entriesPerSector: Int
    /// Entry number of the next append; entry n goes to slot n mod capacity.
    private(set) var nextEntry: UInt32 = 0

    init(firstSector: Int, sectors: Int, sectorSizeBytes: Int) {
        self.firstSector = firstSector
        self.sectors = sectors
        entriesPerSector = sectorSizeBytes / Self.entryBytes
        precondition(sectors >= 3 && entriesPerSector >= 16, "the outbox log needs three sectors of 16 entries or more")
        // Room for every live record, the sector being written and the one being emptied.
        precondition(
            entriesPerSector * (sectors - 2) >= DeviceOutbox.recordsMax,
            "the outbox log must hold every live record besides two sectors")
        precondition(sectors * entriesPerSector <= Self.replayMax, "a sector change looks over at most 160 entries")
    }

    var capacity: Int { sectors * entriesPerSector }

    /// Replays the log into `outbox` and returns the highest sequence number it holds. Sums
    /// into `closings` the bins each lane closed with numbers from `firstSeq` on (each bin's
    /// own entry once, acknowledged or not; not the merges), which the device reconciles with
    /// its snapshot. Their entries are still in the log: the device commits a snapshot before
    /// the log has moved a sector on, and an entry leaves only two sectors later.
    mutating func restore(
        from flash: some Flash, into outbox: inout DeviceOutbox, closingsFrom firstSeq: UInt32, closings: inout LaneClosings
    ) throws(FlashError) -> UInt32 {
        var seen: UInt64 = 0
        var newest: UInt32?
        var oldest: UInt32?
        var acked: UInt32 = 0
        var highest: UInt32 = 0
        for slot in 0..<capacity {
            guard let entry = try read(slot: slot, from: flash) else { continue }
            if newest.map({ entry.number &- $0 < 0x8000_0000 }) ?? true { newest = entry.number }
            if oldest.map({ $0 &- entry.number < 0x8000_0000 }) ?? true { oldest = entry.number }
            if entry.kind == .ack { acked = max(acked, entry.record.seq) }
            highest = max(highest, entry.record.lastSeq)
            let after = entry.record.seq &- firstSeq
            if entry.kind == .record && entry.record.binsMerged == 1 && after < 64 && seen & 1 << after == 0 {
                seen |= 1 << after
                closings.add(entry.record.bin, lane: Int(entry.record.lane))
            }
        }
        guard let newest, var oldest else { return 0 }
        // A whole log spans at most its capacity of entry numbers; older numbers are bytes
        // that only look like entries, and replaying up to four billion of them is a hang
        // (Tools/fuzz journal).
        if newest &- oldest >= UInt32(capacity) { oldest = newest &- UInt32(capacity - 1) }
        nextEntry = newest &+ 1
        // A power cut may have left the slots after the newest entry half written: neither
        // whole nor erased, so no program can go there. Appends go after them; a sector's first
        // slot needs no such care, as entering a sector erases it.
        while Int(nextEntry % UInt32(capacity)) % entriesPerSector != 0,
            try !isErased(slot: Int(nextEntry % UInt32(capacity)), flash: flash)
        {
            nextEntry &+= 1
        }
        // Replay in entry order, straight into the outbox: settled records replay too, since a
        // merged one must still remove what it absorbed.
        var number = oldest
        while number &- oldest <= newest &- oldest {
            if let entry = try read(slot: Int(number % UInt32(capacity)), from: flash), entry.number == number,
                entry.kind == .record
            {
                outbox.replay(entry.record, settledThroughSeq: acked)
            }
            number &+= 1
        }
        return highest
    }

    /// Appends a record: a closed bin, or one the outbox has just merged.
    mutating func append(_ record: OutboxRecord, flash: inout some Flash, outbox: inout DeviceOutbox) throws(FlashError) {
        try enterSectorIfNeeded(flash: &flash, outbox: &outbox)
        try write(kind: .record, record: record, flash: &flash)
    }

    /// Appends an acknowledgement of every record through `seq`.
    mutating func appendAck(through seq: UInt32, flash: inout some Flash, outbox: inout DeviceOutbox) throws(FlashError) {
        try enterSectorIfNeeded(flash: &flash, outbox: &outbox)
        try write(kind: .ack, record: OutboxRecord(seq: seq, lane: 0, bin: IntervalBin()), flash: &flash)
    }

    /// At a sector's first slot: erases it, and copies into it the live records whose newest
    /// copy sits in the sector after it, the next to be erased. At most one per slot of that
    /// sector, so they fit; the entry that called goes after them, entering the next sector
    /// the same way when this one is full. Only newest copies move, so the copies do not
    /// multiply: at most `DeviceOutbox.recordsMax` are live.
    private mutating func enterSectorIfNeeded(flash: inout some Flash, outbox: inout DeviceOutbox) throws(FlashError) {
        while Int(nextEntry % UInt32(capacity)) % entriesPerSector == 0 {
            let sector = Int(nextEntry % UInt32(capacity)) / entriesPerSector
            try flash.erase(sector: firstSector + sector)
            let doomed = (sector + 1) % sectors
            // The newest copy of each record outside the doomed sector, read once.
            var elsewhere = InlineArray<160, (seq: UInt32, number: UInt32)>(repeating: (0, 0))
            var elsewhereCount = 0
            for slot in 0..<capacity where slot / entriesPerSector != doomed {
                guard let other = try read(slot: slot, from: flash), other.kind == .record else { continue }
                elsewhere[elsewhereCount] = (other.record.seq, other.number)
                elsewhereCount += 1
            }
            var rescued = 0
            for slot in 0..<entriesPerSector {
                guard let entry = try read(slot: doomed * entriesPerSector + slot, from: flash), entry.kind == .record else {
                    continue
                }
                var newer = false
                for index in 0..<elsewhereCount where elsewhere[index].seq == entry.record.seq {
                    if elsewhere[index].number &- entry.number < 0x8000_0000 { newer = true }
                }
                if newer { continue }
                for live in 0..<outbox.count where outbox.record(live).seq == entry.record.seq {
                    try write(kind: .record, record: outbox.record(live), flash: &flash)
                    rescued += 1
                }
            }
            // A full sector of rescued records: the caller's entry opens the next one.
            if rescued < entriesPerSector { return }
        }
    }

    private mutating func write(kind: Kind, record: OutboxRecord, flash: inout some Flash) throws(FlashError) {
        let slot = Int(nextEntry % UInt32(capacity))
        var bytes = InlineArray<100, UInt8>(repeating: 0xFF)
        var cursor = 0
        func put(_ value: some FixedWidthInteger) {
            for index in 0..<(value.bitWidth / 8) { bytes[cursor + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
            cursor += value.bitWidth / 8
        }
        put(Self.magic)
        put(kind.rawValue)
        put(record.lane)
        put(nextEntry)
        put(record.seq)
        put(record.lastSeq)
        put(record.bin.startUs)
        put(record.bin.intervalMs)
        put(record.bin.frames)
        put(record.binsMerged)
        put(UInt16(record.wallStartNs == nil ? 0 : 1))
        put(record.wallStartNs ?? 0)
        for cell in 0..<12 { put(record.bin.counts[cell]) }
        var crc = CRC32()
        for index in 0..<Self.crcOffset { crc.update(bytes[index]) }
        put(crc.value)
        put(Self.committed)
        let base = offset(ofSlot: slot, sectorSizeBytes: flash.sectorSizeBytes)
        try flash.program(offset: base, bytes: bytes.span.extracting(0..<Self.markerOffset))
        try flash.program(offset: base + Self.markerOffset, bytes: bytes.span.extracting(Self.markerOffset..<Self.entryBytes))
        nextEntry &+= 1
    }

    private func isErased(slot: Int, flash: some Flash) throws(FlashError) -> Bool {
        let base = offset(ofSlot: slot, sectorSizeBytes: flash.sectorSizeBytes)
        for index in 0..<Self.entryBytes where try flash.read(offset: base + index) != 0xFF { return false }
        return true
    }

    private func offset(ofSlot slot: Int, sectorSizeBytes: Int) -> Int {
        (firstSector + slot / entriesPerSector) * sectorSizeBytes + (slot % entriesPerSector) * Self.entryBytes
    }

    private struct Entry {
        var kind: Kind
        var number: UInt32
        var record: OutboxRecord
    }

    private func read(slot: Int, from flash: some Flash) throws(FlashError) -> Entry? {
        let base = offset(ofSlot: slot, sectorSizeBytes: flash.sectorSizeBytes)
        var offset = base
        func get<T: FixedWidthInteger>(_: T.Type) throws(FlashError) -> T {
            var value: T = 0
            for index in 0..<(T.bitWidth / 8) { value |= T(try flash.read(offset: offset + index)) << (8 * index) }
            offset += T.bitWidth / 8
            return value
        }
        guard try get(UInt16.self) == Self.magic else { return nil }
        offset = base + Self.markerOffset
        guard try get(UInt32.self) == Self.committed else { return nil }
        var crc = CRC32()
        for index in 0..<Self.crcOffset { crc.update(try flash.read(offset: base + index)) }
        offset = base + Self.crcOffset
        guard try get(UInt32.self) == crc.value else { return nil }
        offset = base + 2
        guard let kind = Kind(rawValue: try get(UInt8.self)) else { return nil }
        let lane = try get(UInt8.self)
        let number = try get(UInt32.self)
        var record = OutboxRecord(seq: try get(UInt32.self), lane: lane, bin: IntervalBin())
        record.lastSeq = try get(UInt32.self)
        record.bin.startUs = try get(UInt64.self)
        record.bin.intervalMs = try get(UInt32.self)
        record.bin.frames = try get(UInt32.self)
        record.binsMerged = try get(UInt16.self)
        let stamped = try get(UInt16.self) == 1
        let wallStartNs = try get(Int64.self)
        record.wallStartNs = stamped ? wallStartNs : nil
        for cell in 0..<12 { record.bin.counts[cell] = try get(UInt32.self) }
        // Record numbers stay below 2^31 (4,000 years of a record a minute) and a record's last
        // is at or past its first: an entry that says otherwise is not one the device wrote,
        // and its numbers would wrap into the ones boot hands out. Nor does it write a lane it
        // cannot have, which the outbox would refuse by trapping (Tools/fuzz journal).
        guard record.seq < Self.seqLimit, record.lastSeq < Self.seqLimit, kind == .ack || record.lastSeq >= record.seq,
            Int(lane) < DeviceConfig.lanesMax
        else {
            return nil
        }
        return Entry(kind: kind, number: number, record: record)
    }
}

/// Per lane, the sum of the bins closed since a snapshot, and which lanes closed any.
struct LaneClosings {
    var sums = InlineArray<4, IntervalBin>(repeating: IntervalBin())
    /// Bit n: lane n closed a bin.
    var lanes: UInt8 = 0

    mutating func add(_ bin: IntervalBin, lane: Int) {
        guard lane < 4 else { return }
        for cell in 0..<12 { sums[lane].counts[cell] &+= bin.counts[cell] }
        lanes |= 1 << UInt8(lane)
    }

    func closed(lane: Int) -> Bool { lanes & 1 << UInt8(lane) != 0 }
}
