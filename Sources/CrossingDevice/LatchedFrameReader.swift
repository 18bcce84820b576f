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
    /// The front end's bus address.
    let address: UInt8
    var raw = InlineArray<count, UInt8>(repeating: 0)
    var lastSequence: UInt32?
    /// Whether a frame has been handed on since boot.
    var handedOn = false

    init(address: UInt8, lastSequence: UInt32?) {
        self.address = address
        self.lastSequence = lastSequence
    }

    /// Reads STATUS, and the whole frame when it is ready. True when `raw` holds a frame of the
    /// device `id` newer than the last one handed on, which it now counts as handed on.
    ///
    /// An idle poll costs a two-byte read, not a frame's worth of bus time. A garbled STATUS
    /// cannot be told from a true one, and need not be: a missed ready bit is read again next
    /// poll, and a false one leads to a frame read that its CRC or STATUS refuses.
    mutating func poll(_ bus: inout some SensorBus, id: UInt8, health: inout DriverHealth) -> Bool {
        let address = self.address
        var head = InlineArray<2, UInt8>(repeating: 0)
        do throws(BusError) {
            var span = head.mutableSpan
            try bus.read(address: address, register: LatchedFrameRegisters.id, into: &span)
        } catch {
            health.busErrors &+= 1
            return false
        }
        guard head[Int(LatchedFrameRegisters.status)] & LatchedFrameRegisters.dataReady != 0 else { return false }
        do throws(BusError) {
            var span = raw.mutableSpan
            try bus.read(address: address, register: LatchedFrameRegisters.id, into: &span)
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
        // After a reboot the front end may still hold the frame counted last (refused), or may
        // have restarted its count with the power (accepted); from then on only newer frames.
        let fresh = lastSequence.map { last in
            handedOn ? sequence &- last != 0 && sequence &- last < 0x8000_0000 : sequence != last
        } ?? true
        do throws(BusError) {
            try bus.write(address: address, register: LatchedFrameRegisters.status, value: 0)
        } catch {
            health.busErrors &+= 1
        }
        guard fresh else {
            health.staleFrames &+= 1
            return false
        }
        lastSequence = sequence
        handedOn = true
        return true
    }

    /// The little-endian word at `offset` of the frame. `mutating` only so that Swift reads it
    /// where it lies instead of copying the registers to the stack (docs/embedded.md, "Stack").
    mutating func word32(_ offset: Int) -> UInt32 {
        UInt32(raw[offset]) | UInt32(raw[offset + 1]) << 8 | UInt32(raw[offset + 2]) << 16 | UInt32(raw[offset + 3]) << 24
    }

    /// See `word32`.
    mutating func word64(_ offset: Int) -> UInt64 {
        UInt64(word32(offset)) | UInt64(word32(offset + 4)) << 32
    }
}
