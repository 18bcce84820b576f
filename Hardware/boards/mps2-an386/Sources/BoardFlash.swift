import CrossingDevice

/// The counter's data flash: NOR semantics over the board's flash part (`.flashpart`,
/// Support/flashpart.c), reached through a pointer as a peripheral is, so a copy of the device
/// is a copy of a handle, not of 52 KiB.
struct BoardFlash: Flash {
    static let sectorBytes = 4096
    private let bytes = board_flash_part()!
    var sectorSizeBytes: Int { Self.sectorBytes }
    var sectorCount: Int { Int(board_flash_bytes) / Self.sectorBytes }

    /// The part, every sector erased.
    init() {
        for sector in 0..<sectorCount { erase(sector) }
    }

    mutating func erase(sector: Int) throws(FlashError) {
        guard sector >= 0 && sector < sectorCount else { throw .outOfRange(offset: sector * Self.sectorBytes) }
        erase(sector)
    }

    mutating func program(offset: Int, bytes new: Span<UInt8>) throws(FlashError) {
        guard offset >= 0 && offset + new.count <= Int(board_flash_bytes) else { throw .outOfRange(offset: offset) }
        for index in new.indices {
            // NOR programming only clears bits.
            if bytes[offset + index] & new[index] != new[index] { throw .notErased(offset: offset + index) }
            bytes[offset + index] = new[index]
        }
    }

    func read(offset: Int) throws(FlashError) -> UInt8 {
        guard offset >= 0 && offset < Int(board_flash_bytes) else { throw .outOfRange(offset: offset) }
        return bytes[offset]
    }

    private func erase(_ sector: Int) {
        for index in 0..<Self.sectorBytes { bytes[sector * Self.sectorBytes + index] = 0xFF }
    }
}
