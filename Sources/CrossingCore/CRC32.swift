/// CRC-32 as zlib and Ethernet compute it (reflected polynomial 0xEDB88320, initial and final
/// value all ones), bit by bit: journal records are small, and a table would cost 1 KiB.
public struct CRC32 {
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Takes one more byte.
    public mutating func update(_ byte: UInt8) {
        state ^= UInt32(byte)
        for _ in 0..<8 {
            state = state & 1 == 1 ? (state >> 1) ^ 0xEDB8_8320 : state >> 1
        }
    }

    /// Takes more bytes.
    public mutating func update(_ bytes: Span<UInt8>) {
        for index in bytes.indices { update(bytes[index]) }
    }

    /// The checksum of everything taken so far.
    public var value: UInt32 { ~state }
}
