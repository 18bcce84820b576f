import CrossingCore

/// The registers every front end that latches frames shares, the depth sensor and the loop
/// front end alike: ID, STATUS, a frame SEQUENCE, and a CRC32 of every register before it in
/// the last 4. Writing 0 to STATUS acknowledges a frame.
public enum LatchedFrameRegisters {
    public static let id: UInt8 = 0x00
    public static let status: UInt8 = 0x01
    public static let sequence: UInt8 = 0x04
    /// STATUS bits: a frame not yet acknowledged, and one replaced before it was.
    public static let dataReady: UInt8 = 0x01
    public static let overrun: UInt8 = 0x02
}

/// Reads a front end laid out as `LatchedFrameRegisters` in `count` registers.
///
/// One burst per poll, checked by CRC and by sequence number, then acknowledged: a garbled
/// read shows, and a stuck data-ready or a lost acknowledgement never hands a frame on twice.
struct LatchedFrameReader<let count: Int> {
    var raw = InlineArray<count, UInt8>(repeating: 0)
    var lastSequence: UInt32?

    /// Reads the registers once. True when `raw` holds a frame of the device `id` newer than
    /// the last one handed on, which it now counts as handed on.
    mutating func poll(_ bus: inout some SensorBus, id: UInt8, health: inout DriverHealth) -> Bool {
        do throws(BusError) {
            var span = raw.mutableSpan
            try bus.read(register: LatchedFrameRegisters.id, into: &span)
        } catch {
            health.busErrors &+= 1
            return false
        }
        var crc = CRC32()
        for index in 0..<(count - 4) { crc.update(raw[index]) }
        guard crc.value == word32(count - 4) else {
            health.corruptFrames &+= 1
            return false
        }
        let status = raw[Int(LatchedFrameRegisters.status)]
        guard status & LatchedFrameRegisters.dataReady != 0 else { return false }
        guard raw[Int(LatchedFrameRegisters.id)] == id else {
            health.badDevice &+= 1
            return false
        }
        if status & LatchedFrameRegisters.overrun != 0 { health.overruns &+= 1 }
        let sequence = word32(Int(LatchedFrameRegisters.sequence))
        let fresh = lastSequence.map { sequence &- $0 != 0 && sequence &- $0 < 0x8000_0000 } ?? true
        do throws(BusError) {
            try bus.write(register: LatchedFrameRegisters.status, value: 0)
        } catch {
            health.busErrors &+= 1
        }
        guard fresh else {
            health.staleFrames &+= 1
            return false
        }
        lastSequence = sequence
        return true
    }

    func word32(_ offset: Int) -> UInt32 {
        UInt32(raw[offset]) | UInt32(raw[offset + 1]) << 8 | UInt32(raw[offset + 2]) << 16 | UInt32(raw[offset + 3]) << 24
    }

    func word64(_ offset: Int) -> UInt64 {
        UInt64(word32(offset)) | UInt64(word32(offset + 4)) << 32
    }
}
