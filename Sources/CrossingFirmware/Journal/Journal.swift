import CrossingCore
import CrossingDevice

/// Why a journal cannot be laid out on the flash given.
public enum JournalError: Error, Equatable {
    case tooFewSectors
    case sectorsOutsideFlash
    case sectorSmallerThanSlot
}

/// A buffer for the largest journal payload.
public typealias JournalPayload = InlineArray<688, UInt8>

/// A power-loss-safe log of state snapshots in a ring of flash sectors.
///
/// Each commit goes in the next fixed-size slot: a header (magic, payload length, sequence
/// number), the payload, a CRC32 of both, and last a commit marker. A power cut at any byte of
/// any program or erase leaves either the previous snapshot or the new one as the newest
/// committed slot, never a mix: a slot counts only with its marker and a matching CRC. Slots
/// fill a sector before the next is erased, so each sector is erased once per
/// `slotsPerSector x sectors` commits.
public struct Journal<Storage: Flash> {
    /// Largest payload a slot holds: a snapshot of four lanes.
    public static var payloadMax: Int { JournalPayload.count }
    static var headerBytes: Int { 8 }
    static var crcOffset: Int { headerBytes + payloadMax }
    static var markerOffset: Int { crcOffset + 4 }
    /// Bytes a slot takes in its sector: header, payload, CRC and marker.
    public static var slotBytes: Int { markerOffset + 4 }
    static var magic: UInt16 { 0x4A43 }
    static var committed: UInt32 { 0x0C0D_1A5A }

    /// The part itself. An emulator reaches in to cut the power or carry the bytes over a
    /// reboot; firmware leaves it to the journal.
    public var flash: Storage
    let firstSector: Int
    let sectors: Int
    let slotsPerSector: Int
    /// Sequence number of the newest committed snapshot; 0 before the first.
    public private(set) var sequence: UInt32 = 0
    /// Ring index of the slot the next commit tries first.
    var nextSlot = 0

    /// A journal on `flash` with no sectors yet, for a device not booted: its boot lays the
    /// journal out with `init(flash:firstSector:sectors:)`.
    init(unlaid flash: Storage) {
        self.flash = flash
        firstSector = 0
        sectors = 0
        slotsPerSector = 0
    }

    /// A journal on `sectors` sectors from `firstSector`. Call `restore` before `commit`.
    public init(flash: Storage, firstSector: Int, sectors: Int) throws(JournalError) {
        guard sectors >= 2 else { throw .tooFewSectors }
        guard firstSector >= 0 && firstSector + sectors <= flash.sectorCount else { throw .sectorsOutsideFlash }
        guard flash.sectorSizeBytes >= Self.slotBytes else { throw .sectorSmallerThanSlot }
        self.flash = flash
        self.firstSector = firstSector
        self.sectors = sectors
        slotsPerSector = flash.sectorSizeBytes / Self.slotBytes
    }

    /// Finds the newest committed snapshot, copies its payload to the front of `payload` and
    /// returns its length; nil when the journal holds none. Commits continue after it.
    public mutating func restore(into payload: inout JournalPayload) throws(FlashError) -> Int? {
        var best: (slot: Int, sequence: UInt32, length: Int)?
        for slot in 0..<(sectors * slotsPerSector) {
            guard let record = try check(slot: slot) else { continue }
            if best.map({ record.sequence > $0.sequence }) ?? true {
                best = (slot, record.sequence, record.length)
            }
        }
        guard let best else {
            sequence = 0
            nextSlot = 0
            return nil
        }
        let base = offset(ofSlot: best.slot) + Self.headerBytes
        for index in 0..<best.length { payload[index] = try flash.read(offset: base + index) }
        sequence = best.sequence
        nextSlot = (best.slot + 1) % (sectors * slotsPerSector)
        return best.length
    }

    /// Appends `payload` as the newest snapshot. Once this returns, the snapshot survives any
    /// power loss; if the power fails during it, `restore` finds the one before.
    public mutating func commit(_ payload: Span<UInt8>) throws(FlashError) {
        precondition(payload.count <= Self.payloadMax, "a journal payload is at most payloadMax bytes")
        let slot = try erasedSlot()
        var header = InlineArray<8, UInt8>(repeating: 0xFF)
        let next = sequence &+ 1
        put(Self.magic, at: 0, in: &header)
        put(UInt16(payload.count), at: 2, in: &header)
        put(next, at: 4, in: &header)
        var crc = CRC32()
        crc.update(header.span)
        crc.update(payload)
        let base = offset(ofSlot: slot)
        try flash.program(offset: base, bytes: header.span)
        try flash.program(offset: base + Self.headerBytes, bytes: payload)
        var tail = InlineArray<8, UInt8>(repeating: 0xFF)
        put(crc.value, at: 0, in: &tail)
        put(Self.committed, at: 4, in: &tail)
        // The CRC, then the marker on its own: a slot is committed only once both are whole.
        try flash.program(offset: base + Self.crcOffset, bytes: tail.span.extracting(0..<4))
        try flash.program(offset: base + Self.markerOffset, bytes: tail.span.extracting(4..<8))
        sequence = next
        nextSlot = (slot + 1) % (sectors * slotsPerSector)
    }

    /// The first wholly erased slot from `nextSlot` on, erasing a sector on entering it: it
    /// holds the oldest snapshots. A slot left half-written by a power cut is skipped.
    private mutating func erasedSlot() throws(FlashError) -> Int {
        var slot = nextSlot
        while true {
            if slot % slotsPerSector == 0 { try flash.erase(sector: firstSector + slot / slotsPerSector) }
            if try isErased(slot: slot) { return slot }
            slot = (slot + 1) % (sectors * slotsPerSector)
        }
    }

    private func isErased(slot: Int) throws(FlashError) -> Bool {
        let base = offset(ofSlot: slot)
        for index in 0..<Self.slotBytes where try flash.read(offset: base + index) != 0xFF { return false }
        return true
    }

    /// The sequence number and payload length of a committed slot, or nil.
    private func check(slot: Int) throws(FlashError) -> (sequence: UInt32, length: Int)? {
        let base = offset(ofSlot: slot)
        guard try read16(base) == Self.magic, try read32(base + Self.markerOffset) == Self.committed else { return nil }
        let length = Int(try read16(base + 2))
        guard length <= Self.payloadMax else { return nil }
        var crc = CRC32()
        for index in 0..<(Self.headerBytes + length) { crc.update(try flash.read(offset: base + index)) }
        guard crc.value == (try read32(base + Self.crcOffset)) else { return nil }
        return (try read32(base + 4), length)
    }

    private func offset(ofSlot slot: Int) -> Int {
        (firstSector + slot / slotsPerSector) * flash.sectorSizeBytes + (slot % slotsPerSector) * Self.slotBytes
    }

    private func read16(_ offset: Int) throws(FlashError) -> UInt16 {
        UInt16(try flash.read(offset: offset)) | UInt16(try flash.read(offset: offset + 1)) << 8
    }

    private func read32(_ offset: Int) throws(FlashError) -> UInt32 {
        UInt32(try read16(offset)) | UInt32(try read16(offset + 2)) << 16
    }
}

/// Little-endian fields of a record.
private func put<let count: Int>(_ value: some FixedWidthInteger, at offset: Int, in bytes: inout InlineArray<count, UInt8>) {
    for index in 0..<(value.bitWidth / 8) { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
}
