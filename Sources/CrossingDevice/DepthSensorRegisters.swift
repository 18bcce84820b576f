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
    /// Zone distances that stand for a status instead: no valid return, and a saturated one.
    public static let invalidMm: UInt16 = 0xFFFF
    public static let saturatedMm: UInt16 = 0xFFFE
}
