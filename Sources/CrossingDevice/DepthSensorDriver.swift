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

/// Reads frames from the depth sensor's registers (see `LatchedFrameReader`). Every fault is
/// counted and none stops it.
public struct DepthSensorDriver {
    public private(set) var health = DriverHealth()
    private var reader: LatchedFrameReader<0x94>

    /// A driver for the sensor at bus `address` that hands on only frames newer than
    /// `lastSequence`: after a reboot, the last frame the journal holds as counted.
    public init(address: UInt8, lastSequence: UInt32? = nil) {
        reader = LatchedFrameReader(address: address, lastSequence: lastSequence)
    }

    /// Polls the sensor once. Returns the header of a frame not handed on before, with its
    /// zones in the front of `zones`, or nil.
    public mutating func poll(_ bus: inout some SensorBus, zones: inout InlineArray<64, ZoneReading>) -> FrameHeader? {
        guard reader.poll(&bus, id: DepthSensorRegisters.idValue, health: &health) else { return nil }
        let side = reader.raw[Int(DepthSensorRegisters.side)]
        guard side == 4 || side == 8 else {
            health.badDevice &+= 1
            return nil
        }
        for zone in 0..<(Int(side) * Int(side)) {
            let offset = Int(DepthSensorRegisters.zones) + 2 * zone
            zones[zone] = DepthSensorRegisters.decode(UInt16(reader.raw[offset]) | UInt16(reader.raw[offset + 1]) << 8)
        }
        health.frames &+= 1
        return FrameHeader(
            sequence: reader.word32(Int(DepthSensorRegisters.sequence)),
            timestampUs: reader.word64(Int(DepthSensorRegisters.timestamp)), side: side)
    }
}
