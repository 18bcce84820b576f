/// The register map of the loop-detector front end (Hardware/loop-front-end.md): one scan of
/// a lane's two loops per frame.
public enum LoopFrontEndRegisters {
    public static let id = LatchedFrameRegisters.id
    public static let status = LatchedFrameRegisters.status
    /// Bits 0-1: loop A (0 ok, 1 open, 2 shorted); bits 2-3: loop B.
    public static let loops: UInt8 = 0x02
    public static let sequence = LatchedFrameRegisters.sequence
    public static let timeA: UInt8 = 0x08
    public static let shiftA: UInt8 = 0x10
    public static let timeB: UInt8 = 0x14
    public static let shiftB: UInt8 = 0x1C
    /// CRC32 of every register before it.
    public static let crc: UInt8 = 0x20
    public static let frameBytes = 0x24

    public static let idValue: UInt8 = 0xD2
}
