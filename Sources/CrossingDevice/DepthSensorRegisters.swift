import CrossingCore

/// The register map of the depth sensor's front end (Hardware/depth-sensor.md).
public enum DepthSensorRegisters {
    public static let id = LatchedFrameRegisters.id
    public static let status = LatchedFrameRegisters.status
    public static let side: UInt8 = 0x02
    public static let sequence = LatchedFrameRegisters.sequence
    public static let timestamp: UInt8 = 0x08
    public static let zones: UInt8 = 0x10
    /// CRC32 of every register before it, `id` and `status` included; the sensor updates it
    /// whenever one of them changes, acknowledgements too, so any garbled read shows.
    public static let crc: UInt8 = 0x90
    /// Registers from `id` through `crc`: one burst reads a whole frame.
    public static let frameBytes = 0x94

    public static let idValue: UInt8 = 0xC8
    /// Zone distances that stand for a status instead: no valid return, a saturated one, and
    /// nothing within reach.
    public static let invalidMm: UInt16 = 0xFFFF
    public static let saturatedMm: UInt16 = 0xFFFE
    public static let noTargetMm: UInt16 = 0xFFFD

    /// A zone as its two bytes carry it, in the registers and in frame files alike. A distance
    /// the field cannot hold reads as one under `noTargetMm`.
    @inline(__always)
    public static func encode(_ zone: ZoneReading) -> UInt16 {
        switch zone.status {
        case .valid: min(zone.distanceMm, noTargetMm - 1)
        case .invalid: invalidMm
        case .saturated: saturatedMm
        case .noTarget: noTargetMm
        }
    }

    /// The zone two bytes carry.
    @inline(__always)
    public static func decode(_ mm: UInt16) -> ZoneReading {
        switch mm {
        case invalidMm: ZoneReading(distanceMm: 0, status: .invalid)
        case saturatedMm: ZoneReading(distanceMm: 0, status: .saturated)
        case noTargetMm: ZoneReading(distanceMm: 0, status: .noTarget)
        default: ZoneReading(distanceMm: mm)
        }
    }
}
