import CrossingCore

/// What the journal keeps of a depth lane: its 12 lifetime totals and the sequence number of
/// the last frame counted into them, as a 100-byte payload.
struct LaneSnapshot {
    static let bytes = 100
    static let classes: InlineArray<4, CrossingClass> = [.pedestrian, .bicycle, .car, .bus]
    static let directions: InlineArray<3, Direction> = [.outbound, .inbound, .unknown]

    var totals = InlineArray<12, UInt64>(repeating: 0)
    var lastSequence: UInt32 = 0

    init(lane: DepthLaneCounter, lastSequence: UInt32) {
        for c in 0..<4 {
            for d in 0..<3 { totals[c * 3 + d] = lane.total(Self.classes[c], Self.directions[d]) }
        }
        self.lastSequence = lastSequence
    }

    init(payload: InlineArray<120, UInt8>) {
        for cell in 0..<12 {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(payload[cell * 8 + byte]) << (8 * byte) }
            totals[cell] = value
        }
        for byte in 0..<4 { lastSequence |= UInt32(payload[96 + byte]) << (8 * byte) }
    }

    func encode(into payload: inout InlineArray<120, UInt8>) {
        for cell in 0..<12 {
            for byte in 0..<8 { payload[cell * 8 + byte] = UInt8(truncatingIfNeeded: totals[cell] >> (8 * byte)) }
        }
        for byte in 0..<4 { payload[96 + byte] = UInt8(truncatingIfNeeded: lastSequence >> (8 * byte)) }
    }

    func restore(into lane: inout DepthLaneCounter) {
        for c in 0..<4 {
            for d in 0..<3 { lane.restore(total: totals[c * 3 + d], Self.classes[c], Self.directions[d]) }
        }
    }
}
