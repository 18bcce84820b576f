/// The last accepted frame's (or loop scan's) sequence number and time, to validate the next.
struct FrameOrder {
    var lastSequence: UInt32 = 0
    var lastTimestampUs: UInt64 = 0
    var hasFrame = false

    /// Validates a frame against the lane and the previous frame without changing anything.
    /// Returns how many frames the sequence number says were missed.
    func check(header: FrameHeader, zoneCount: Int, geometry: LaneGeometry) throws(FrameError) -> UInt32 {
        if header.side < Limits.sideMin || header.side > Limits.sideMax || header.side % 4 != 0 {
            throw .sideUnsupported(side: header.side)
        }
        if Int(header.side) != geometry.side {
            throw .sideMismatch(expected: UInt8(geometry.side), got: header.side)
        }
        if zoneCount != geometry.zoneCount { throw .zoneCount(expected: geometry.zoneCount, got: zoneCount) }
        return try check(sequence: header.sequence, timestampUs: header.timestampUs)
    }

    /// Validates that a sequence number and time move forward. Returns how many the sequence
    /// number says were missed.
    func check(sequence: UInt32, timestampUs: UInt64) throws(FrameError) -> UInt32 {
        guard hasFrame else { return 0 }
        if timestampUs <= lastTimestampUs {
            throw .timestampNotIncreasing(lastUs: lastTimestampUs, gotUs: timestampUs)
        }
        let step = sequence &- lastSequence
        if step == 0 { throw .sequenceRepeated(sequence: sequence) }
        if step > UInt32.max / 2 { throw .sequenceBackwards(last: lastSequence, got: sequence) }
        return step - 1
    }

    mutating func accept(sequence: UInt32, timestampUs: UInt64) {
        hasFrame = true
        lastSequence = sequence
        lastTimestampUs = timestampUs
    }
}
