import CrossingCore

/// What the depth sensor driver saw go wrong. Counters only grow.
public struct DriverHealth: Equatable, Sendable {
    /// Frames read whole and handed on.
    public var frames: UInt64 = 0
    /// Transfers the device did not acknowledge.
    public var busErrors: UInt64 = 0
    /// Reads whose CRC did not match: garbage on the bus. The frame is read again next poll.
    public var corruptFrames: UInt64 = 0
    /// Data-ready set again for a frame already handed on (a stuck flag): not counted twice.
    public var staleFrames: UInt64 = 0
    /// Frames the sensor replaced before they were read, as it reports them.
    public var overruns: UInt64 = 0
    /// Reads of a device that is not the depth sensor, or of a size it does not have.
    public var badDevice: UInt64 = 0

    public init() {}
}

/// Reads frames from the depth sensor's registers: one burst per poll, checked by CRC and by
/// sequence number, then acknowledged. Every fault is counted and none stops it.
public struct DepthSensorDriver {
    public private(set) var health = DriverHealth()
    private var lastSequence: UInt32?
    private var raw = InlineArray<0x94, UInt8>(repeating: 0)

    /// A driver that hands on only frames newer than `lastSequence`: after a reboot, the
    /// last frame the journal holds as counted.
    public init(lastSequence: UInt32? = nil) {
        self.lastSequence = lastSequence
    }

    /// Polls the sensor once. Returns the header of a frame not handed on before, with its
    /// zones in the front of `zones`, or nil.
    public mutating func poll(_ bus: inout some SensorBus, zones: inout InlineArray<64, ZoneReading>) -> FrameHeader? {
        do throws(BusError) {
            var span = raw.mutableSpan
            try bus.read(register: DepthSensorRegisters.id, into: &span)
        } catch {
            health.busErrors &+= 1
            return nil
        }
        var crc = CRC32()
        for index in 0..<Int(DepthSensorRegisters.crc) { crc.update(raw[index]) }
        guard crc.value == word32(Int(DepthSensorRegisters.crc)) else {
            health.corruptFrames &+= 1
            return nil
        }
        let status = raw[Int(DepthSensorRegisters.status)]
        guard status & DepthSensorRegisters.dataReady != 0 else { return nil }
        let side = raw[Int(DepthSensorRegisters.side)]
        guard raw[Int(DepthSensorRegisters.id)] == DepthSensorRegisters.idValue, side == 4 || side == 8 else {
            health.badDevice &+= 1
            return nil
        }
        if status & DepthSensorRegisters.overrun != 0 { health.overruns &+= 1 }
        let sequence = word32(Int(DepthSensorRegisters.sequence))
        let fresh = lastSequence.map { sequence &- $0 != 0 && sequence &- $0 < 0x8000_0000 } ?? true
        acknowledge(&bus)
        guard fresh else {
            health.staleFrames &+= 1
            return nil
        }
        lastSequence = sequence
        for zone in 0..<(Int(side) * Int(side)) {
            let offset = Int(DepthSensorRegisters.zones) + 2 * zone
            let mm = UInt16(raw[offset]) | UInt16(raw[offset + 1]) << 8
            switch mm {
            case DepthSensorRegisters.invalidMm: zones[zone] = ZoneReading(distanceMm: 0, status: .invalid)
            case DepthSensorRegisters.saturatedMm: zones[zone] = ZoneReading(distanceMm: 0, status: .saturated)
            default: zones[zone] = ZoneReading(distanceMm: mm)
            }
        }
        health.frames &+= 1
        let timestampUs = UInt64(word32(Int(DepthSensorRegisters.timestamp)))
            | UInt64(word32(Int(DepthSensorRegisters.timestamp) + 4)) << 32
        return FrameHeader(sequence: sequence, timestampUs: timestampUs, side: side)
    }

    /// Clears data-ready. A lost acknowledgement only means the same frame is read again,
    /// and its sequence number stops it there.
    private mutating func acknowledge(_ bus: inout some SensorBus) {
        do throws(BusError) {
            try bus.write(register: DepthSensorRegisters.status, value: 0)
        } catch {
            health.busErrors &+= 1
        }
    }

    private func word32(_ offset: Int) -> UInt32 {
        UInt32(raw[offset]) | UInt32(raw[offset + 1]) << 8 | UInt32(raw[offset + 2]) << 16 | UInt32(raw[offset + 3]) << 24
    }
}
