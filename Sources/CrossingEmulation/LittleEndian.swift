/// The little-endian fields of emulated registers and frame files.
extension Array where Element == UInt8 {
    /// Writes the low `count` bytes of `value` at `offset`, least significant first.
    mutating func setLittleEndian(_ value: some FixedWidthInteger, bytes count: Int, at offset: Int) {
        for index in 0..<count { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// Appends the low `count` bytes of `value`, least significant first.
    mutating func appendLittleEndian(_ value: some FixedWidthInteger, bytes count: Int) {
        for index in 0..<count { append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }
}
