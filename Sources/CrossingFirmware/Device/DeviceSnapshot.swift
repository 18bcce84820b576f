import CrossingCore

/// What the journal keeps of a device, read and written in place in the journal's payload
/// buffer: a struct of it would be 700 bytes, copied through the board's small boot stack.
///
/// For each lane: the 12 lifetime totals, the sequence number of the last frame counted into
/// them, and the counts among them not yet in a closed bin the outbox took (the pending bin),
/// keyed by the lane's name and sensor kind so that a changed config never restores one lane's
/// totals into another. The pending bin is what lets a reboot keep every count in the totals in
/// exactly one bin that leaves the device: the records the outbox numbered from
/// `nextRecordSeq` on closed after the snapshot, and hold the pending counts (docs/journal.md,
/// "Totals and bins agree").
///
/// Payload: a lane count byte, the outbox's next record number (4 bytes), the device's
/// incarnation (4 bytes, `Incarnation.persisted`; a journal written before incarnations lacks
/// it, and restores as incarnation 0), then per lane 169
/// bytes: CRC32 of the name, kind (1 depth, 2 loops), last sequence, 12 x UInt64 totals
/// (class-major, directions outbound, inbound, unknown), and the pending bin: start (UInt64
/// us), interval (UInt32 ms), frames (UInt32), 12 x UInt32 counts. All little-endian.
enum DeviceSnapshot {
    static var laneBytes: Int { 169 }
    static let classes: InlineArray<4, CrossingClass> = [.pedestrian, .bicycle, .car, .bus]
    static let directions: InlineArray<3, Direction> = [.outbound, .inbound, .unknown]

    static var headerBytes: Int { 9 }
    /// The header before incarnations: no incarnation field.
    static var headerBytesBefore: Int { 5 }

    static func bytes(lanes: Int) -> Int { headerBytes + lanes * laneBytes }

    /// The lanes a payload of `length` bytes keeps; nil when it is not a snapshot.
    static func laneCount(in payload: Span<UInt8>, length: Int) -> Int? {
        guard length > 0 else { return nil }
        let lanes = Int(payload[0])
        guard lanes <= 4, length == bytes(lanes: lanes) || length == headerBytesBefore + lanes * laneBytes else { return nil }
        // Record numbers stay below 2^31, as the outbox log's do (`OutboxLog.seqLimit`).
        guard nextRecordSeq(in: payload) < OutboxLog.seqLimit else { return nil }
        return lanes
    }

    /// The number the outbox gave its next record, so that none is used twice across boots.
    static func nextRecordSeq(in payload: Span<UInt8>) -> UInt32 { UInt32(truncatingIfNeeded: word(payload, at: 1, bytes: 4)) }

    /// Brings a snapshot of `lanes` lanes written before incarnations to this layout, in
    /// place, as incarnation 0: its records went out with none, and must go on so.
    static func upgrade(_ payload: inout JournalPayload, lanes: Int, length: Int) {
        guard length == headerBytesBefore + lanes * laneBytes else { return }
        let shift = headerBytes - headerBytesBefore
        for index in stride(from: length - 1, through: headerBytesBefore, by: -1) { payload[index + shift] = payload[index] }
        put(0, at: headerBytesBefore, bytes: shift, in: &payload)
    }

    /// The incarnation the snapshot kept.
    static func incarnation(in payload: Span<UInt8>) -> Incarnation {
        Incarnation(persisted: UInt32(truncatingIfNeeded: word(payload, at: 5, bytes: 4)))
    }

    /// The index of the lane kept under this name and kind among `lanes`, if any.
    static func find(nameCRC: UInt32, kind: UInt8, lanes: Int, in payload: Span<UInt8>) -> Int? {
        for lane in 0..<lanes {
            let base = offset(lane)
            if word(payload, at: base, bytes: 4) == UInt64(nameCRC) && payload[base + 4] == kind { return lane }
        }
        return nil
    }

    static func lastSequence(lane: Int, in payload: Span<UInt8>) -> UInt32 {
        UInt32(truncatingIfNeeded: word(payload, at: offset(lane) + 5, bytes: 4))
    }

    /// Lane `lane`'s total of cell `class * 3 + direction`.
    static func total(lane: Int, cell: Int, in payload: Span<UInt8>) -> UInt64 {
        word(payload, at: offset(lane) + 9 + 8 * cell, bytes: 8)
    }

    /// Lane `lane`'s pending bin: no frames and no counts when none.
    static func pending(lane: Int, in payload: Span<UInt8>) -> IntervalBin {
        let base = offset(lane) + 105
        var bin = IntervalBin()
        bin.startUs = word(payload, at: base, bytes: 8)
        bin.intervalMs = UInt32(truncatingIfNeeded: word(payload, at: base + 8, bytes: 4))
        bin.frames = UInt32(truncatingIfNeeded: word(payload, at: base + 12, bytes: 4))
        for cell in 0..<12 { bin.counts[cell] = UInt32(truncatingIfNeeded: word(payload, at: base + 16 + 4 * cell, bytes: 4)) }
        return bin
    }

    /// Writes the header; the lanes follow with `putLane` and `putTotal`. Returns the length.
    static func putHeader(lanes: Int, nextRecordSeq: UInt32, incarnation: Incarnation, in payload: inout JournalPayload) -> Int {
        payload[0] = UInt8(lanes)
        put(UInt64(nextRecordSeq), at: 1, bytes: 4, in: &payload)
        put(UInt64(incarnation.persisted), at: 5, bytes: 4, in: &payload)
        return bytes(lanes: lanes)
    }

    static func putLane(
        _ lane: Int, nameCRC: UInt32, kind: UInt8, lastSequence: UInt32, pending: IntervalBin, in payload: inout JournalPayload
    ) {
        let base = offset(lane)
        put(UInt64(nameCRC), at: base, bytes: 4, in: &payload)
        payload[base + 4] = kind
        put(UInt64(lastSequence), at: base + 5, bytes: 4, in: &payload)
        put(pending.startUs, at: base + 105, bytes: 8, in: &payload)
        put(UInt64(pending.intervalMs), at: base + 113, bytes: 4, in: &payload)
        put(UInt64(pending.frames), at: base + 117, bytes: 4, in: &payload)
        for cell in 0..<12 { put(UInt64(pending.counts[cell]), at: base + 121 + 4 * cell, bytes: 4, in: &payload) }
    }

    static func putTotal(_ total: UInt64, lane: Int, cell: Int, in payload: inout JournalPayload) {
        put(total, at: offset(lane) + 9 + 8 * cell, bytes: 8, in: &payload)
    }

    private static func offset(_ lane: Int) -> Int { headerBytes + lane * laneBytes }

    private static func word(_ payload: Span<UInt8>, at offset: Int, bytes: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<bytes { value |= UInt64(payload[offset + index]) << (8 * index) }
        return value
    }

    private static func put(_ value: UInt64, at offset: Int, bytes: Int, in payload: inout JournalPayload) {
        for index in 0..<bytes { payload[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
