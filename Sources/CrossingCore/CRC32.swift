/// CRC-32 as zlib and Ethernet compute it (reflected polynomial 0xEDB88320, initial and final
/// value all ones), four bits at a time: a 64-byte table, where a byte-wise one costs 1 KiB
/// and bit by bit is four times slower. Every frame a driver reads passes through it.
public struct CRC32 {
    /// The CRC of each 4-bit value.
    @usableFromInline static let nibbles: InlineArray<16, UInt32> = [
        0x0000_0000, 0x1DB7_1064, 0x3B6E_20C8, 0x26D9_30AC, 0x76DC_4190, 0x6B6B_51F4, 0x4DB2_6158, 0x5005_713C,
        0xEDB8_8320, 0xF00F_9344, 0xD6D6_A3E8, 0xCB61_B38C, 0x9B64_C2B0, 0x86D3_D2D4, 0xA00A_E278, 0xBDBD_F21C,
    ]
    @usableFromInline var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Takes one more byte. Inlinable, so that drivers in other modules checking a frame per
    /// poll do not pay a call per byte.
    @inlinable
    public mutating func update(_ byte: UInt8) {
        state ^= UInt32(byte)
        state = (state >> 4) ^ Self.nibbles[Int(state & 0xF)]
        state = (state >> 4) ^ Self.nibbles[Int(state & 0xF)]
    }

    /// Takes more bytes.
    @inlinable
    public mutating func update(_ bytes: Span<UInt8>) {
        for index in bytes.indices { update(bytes[index]) }
    }

    /// The checksum of everything taken so far.
    public var value: UInt32 { ~state }
}
