/// NOR flash the firmware reaches at an address, as a memory-mapped part: erasing sets a
/// sector's bytes to 0xFF, programming only clears bits. A board's flash part, or a probe's.
/// The value is a handle: copies of it (and of a device holding it) share the part, so a copy
/// of the device is not a copy of the flash.
public struct MemoryFlash: Flash {
    private let bytes: UnsafeMutablePointer<UInt8>
    public let sectorSizeBytes: Int
    public let sectorCount: Int

    /// The part of `sectorCount` sectors of `sectorSizeBytes` at `bytes`, every sector erased.
    public init(bytes: UnsafeMutablePointer<UInt8>, sectorSizeBytes: Int, sectorCount: Int) {
        self.bytes = bytes
        self.sectorSizeBytes = sectorSizeBytes
        self.sectorCount = sectorCount
        for sector in 0..<sectorCount { erase(sector) }
    }

    public mutating func erase(sector: Int) throws(FlashError) {
        guard sector >= 0 && sector < sectorCount else { throw .outOfRange(offset: sector * sectorSizeBytes) }
        erase(sector)
    }

    public mutating func program(offset: Int, bytes new: Span<UInt8>) throws(FlashError) {
        guard offset >= 0 && offset + new.count <= sectorSizeBytes * sectorCount else { throw .outOfRange(offset: offset) }
        for index in new.indices {
            if bytes[offset + index] & new[index] != new[index] { throw .notErased(offset: offset + index) }
            bytes[offset + index] = new[index]
        }
    }

    public func read(offset: Int) throws(FlashError) -> UInt8 {
        guard offset >= 0 && offset < sectorSizeBytes * sectorCount else { throw .outOfRange(offset: offset) }
        return bytes[offset]
    }

    private func erase(_ sector: Int) {
        for index in 0..<sectorSizeBytes { bytes[sector * sectorSizeBytes + index] = 0xFF }
    }
}
