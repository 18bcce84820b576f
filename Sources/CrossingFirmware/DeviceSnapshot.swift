import CrossingCore

/// What the journal keeps of a device: for each lane, the 12 lifetime totals and the sequence
/// number of the last frame counted into them, keyed by the lane's name and sensor kind so
/// that a changed config never restores one lane's totals into another.
///
/// Payload: a lane count byte, the outbox's next record number (4 bytes), then per lane 105
/// bytes: CRC32 of the name, kind (1 depth, 2 loops), last sequence, 12 x UInt64 totals
/// (class-major, directions outbound, inbound, unknown). All little-endian.
struct DeviceSnapshot {
    static let laneBytes = 105
    static let classes: InlineArray<4, CrossingClass> = [.pedestrian, .bicycle, .car, .bus]
    static let directions: InlineArray<3, Direction> = [.outbound, .inbound, .unknown]

    struct Lane {
        var nameCRC: UInt32 = 0
        var kind: UInt8 = 0
        var lastSequence: UInt32 = 0
        var totals = InlineArray<12, UInt64>(repeating: 0)
    }

    var laneCount = 0
    /// The number the outbox gives its next record, so that none is used twice across boots.
    var nextRecordSeq: UInt32 = 1
    var lanes = InlineArray<4, Lane>(repeating: Lane())

    init() {}

    static func bytes(lanes: Int) -> Int { 5 + lanes * laneBytes }

    /// Reads a payload; nil when it is not a snapshot.
    init?(payload: Span<UInt8>) {
        guard payload.count > 0 else { return nil }
        laneCount = Int(payload[0])
        guard laneCount <= 4, payload.count == Self.bytes(lanes: laneCount) else { return nil }
        nextRecordSeq = UInt32(truncatingIfNeeded: Self.word(payload, at: 1, bytes: 4))
        for lane in 0..<laneCount {
            let base = 5 + lane * Self.laneBytes
            lanes[lane].nameCRC = UInt32(truncatingIfNeeded: Self.word(payload, at: base, bytes: 4))
            lanes[lane].kind = payload[base + 4]
            lanes[lane].lastSequence = UInt32(truncatingIfNeeded: Self.word(payload, at: base + 5, bytes: 4))
            for cell in 0..<12 { lanes[lane].totals[cell] = Self.word(payload, at: base + 9 + 8 * cell, bytes: 8) }
        }
    }

    /// Writes the payload to the front of `payload` and returns its length.
    func encode(into payload: inout InlineArray<440, UInt8>) -> Int {
        payload[0] = UInt8(laneCount)
        Self.put(UInt64(nextRecordSeq), at: 1, bytes: 4, in: &payload)
        for lane in 0..<laneCount {
            let base = 5 + lane * Self.laneBytes
            Self.put(UInt64(lanes[lane].nameCRC), at: base, bytes: 4, in: &payload)
            payload[base + 4] = lanes[lane].kind
            Self.put(UInt64(lanes[lane].lastSequence), at: base + 5, bytes: 4, in: &payload)
            for cell in 0..<12 { Self.put(lanes[lane].totals[cell], at: base + 9 + 8 * cell, bytes: 8, in: &payload) }
        }
        return Self.bytes(lanes: laneCount)
    }

    private static func word(_ payload: Span<UInt8>, at offset: Int, bytes: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<bytes { value |= UInt64(payload[offset + index]) << (8 * index) }
        return value
    }

    private static func put(_ value: UInt64, at offset: Int, bytes: Int, in payload: inout InlineArray<440, UInt8>) {
        for index in 0..<bytes { payload[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
