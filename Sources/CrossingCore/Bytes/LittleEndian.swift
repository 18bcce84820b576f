/// Little-endian fields of register maps, frame files and wire messages, read and written in
/// place, the width taken from the integer type. Inlinable, so that a host build specializes
/// them for each width in the modules that call them, as an Embedded build always does.
extension MutableSpan where Element == UInt8 {
    /// Writes `value` at `offset`, least significant byte first.
    @inlinable public mutating func storeLittleEndian(_ value: some FixedWidthInteger, at offset: Int) {
        for index in 0..<(value.bitWidth / 8) { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}

extension Span where Element == UInt8 {
    /// The `T` stored at `offset`, least significant byte first.
    @inlinable public func loadLittleEndian<T: FixedWidthInteger>(at offset: Int, as: T.Type) -> T {
        var value: T = 0
        for index in 0..<(T.bitWidth / 8) { value |= T(truncatingIfNeeded: self[offset + index]) << (8 * index) }
        return value
    }

    /// CRC32 of the bytes in `range`.
    public func crc32(_ range: Range<Int>) -> UInt32 {
        var crc = CRC32()
        for index in range { crc.update(self[index]) }
        return crc.value
    }
}

extension RangeReplaceableCollection where Element == UInt8 {
    /// Appends `value`, least significant byte first, the width taken from its type: the host's
    /// growing buffers (the collector's log and snapshot) use the same byte order as the device.
    @inlinable public mutating func appendLittleEndian(_ value: some FixedWidthInteger) {
        for index in 0..<(value.bitWidth / 8) { append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }
}
