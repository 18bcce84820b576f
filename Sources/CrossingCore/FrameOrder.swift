/// The last accepted frame's sequence number and time, to validate the next frame's header.
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
        guard hasFrame else { return 0 }
        if header.timestampUs <= lastTimestampUs {
            throw .timestampNotIncreasing(lastUs: lastTimestampUs, gotUs: header.timestampUs)
        }
        let step = header.sequence &- lastSequence
        if step == 0 { throw .sequenceRepeated(sequence: header.sequence) }
        if step > UInt32.max / 2 { throw .sequenceBackwards(last: lastSequence, got: header.sequence) }
        return step - 1
    }

    mutating func accept(_ header: FrameHeader) {
        hasFrame = true
        lastSequence = header.sequence
        lastTimestampUs = header.timestampUs
    }
}
