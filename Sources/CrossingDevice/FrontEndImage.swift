import CrossingCore

// How a front end fills its registers when it latches a frame. The emulated sensors and a HIL
// rig's fixture bus both latch through these, so every rig presents the bytes a real front end
// would.

extension LatchedFrameRegisters {
    /// Writes the CRC32 of every register before the last four into the last four, as the front
    /// end does whenever a register changes.
    public static func seal(_ registers: inout MutableSpan<UInt8>) {
        let end = registers.count - 4
        registers.storeLittleEndian(registers.span.crc32(0..<end), at: end)
    }

    /// Sets data-ready, and overrun when the frame before was never acknowledged, then seals.
    /// Returns whether it was an overrun.
    public static func latch(_ registers: inout MutableSpan<UInt8>) -> Bool {
        let overran = registers[Int(status)] & dataReady != 0
        registers[Int(status)] = overran ? dataReady | overrun : dataReady
        seal(&registers)
        return overran
    }
}

extension DepthSensorRegisters {
    /// Writes a frame's side, sequence, capture time and zones into a depth sensor's registers
    /// (not STATUS or the CRC: `LatchedFrameRegisters.latch` sets those); zones past the
    /// grid read invalid.
    public static func write(header: FrameHeader, zones: Span<ZoneReading>, into registers: inout MutableSpan<UInt8>) {
        precondition(registers.count == frameBytes && zones.count == Int(header.side) * Int(header.side))
        registers[Int(side)] = header.side
        registers.storeLittleEndian(header.sequence, at: Int(sequence))
        registers.storeLittleEndian(header.timestampUs, at: Int(timestamp))
        for zone in 0..<64 {
            let mm = zone < zones.count ? encode(zones[zone]) : invalidMm
            registers.storeLittleEndian(mm, at: Int(DepthSensorRegisters.zones) + 2 * zone)
        }
    }
}

extension LoopFrontEndRegisters {
    /// Writes a scan of both loops into a loop front end's registers (not STATUS or the CRC).
    public static func write(header: LoopFrameHeader, a: LoopReading, b: LoopReading, into registers: inout MutableSpan<UInt8>) {
        precondition(registers.count == frameBytes)
        registers[Int(loops)] = a.status.rawValue | b.status.rawValue << 2
        registers.storeLittleEndian(header.sequence, at: Int(sequence))
        registers.storeLittleEndian(a.timestampUs, at: Int(timeA))
        registers.storeLittleEndian(a.shiftPpm, at: Int(shiftA))
        registers.storeLittleEndian(b.timestampUs, at: Int(timeB))
        registers.storeLittleEndian(b.shiftPpm, at: Int(shiftB))
    }
}
