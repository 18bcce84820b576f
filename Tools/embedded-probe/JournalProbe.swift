import CrossingDevice
import CrossingFirmware

@_extern(c, "probe_flash_bytes")
func probeFlashBytes() -> UnsafeMutablePointer<UInt8>

/// Flash in RAM (flash.c): seven 4 KiB sectors (the config, a two-sector journal, a
/// four-sector outbox log). Like a board's flash, a handle to one part: copies share it.
struct ProbeFlash: Flash {
    let bytes = probeFlashBytes()
    var sectorSizeBytes: Int { 4096 }
    var sectorCount: Int { 7 }

    /// A blank part: every byte erased.
    init() {
        for index in 0..<28672 { bytes[index] = 0xFF }
    }

    mutating func erase(sector: Int) throws(FlashError) {
        guard sector >= 0 && sector < sectorCount else { throw .outOfRange(offset: sector * 4096) }
        for index in 0..<4096 { bytes[sector * 4096 + index] = 0xFF }
    }

    mutating func program(offset: Int, bytes new: Span<UInt8>) throws(FlashError) {
        guard offset >= 0 && offset + new.count <= 28672 else { throw .outOfRange(offset: offset) }
        for index in new.indices {
            if bytes[offset + index] & new[index] != new[index] { throw .notErased(offset: offset + index) }
            bytes[offset + index] = new[index]
        }
    }

    func read(offset: Int) throws(FlashError) -> UInt8 {
        guard offset >= 0 && offset < 28672 else { throw .outOfRange(offset: offset) }
        return bytes[offset]
    }
}

extension Probe {
    /// Commits 20 snapshots through the ring, then restores the newest: its sequence number.
    static func journal() -> UInt64 {
        guard var journal = try? Journal(flash: ProbeFlash(), firstSector: 1, sectors: 3) else { return 1 }
        var payload = InlineArray<440, UInt8>(repeating: 0)
        guard (try? journal.restore(into: &payload)) != nil else { return 2 }
        for round in 0..<20 {
            payload[0] = UInt8(round)
            guard (try? journal.commit(payload.span.extracting(0..<100))) != nil else { return 3 }
        }
        // A reboot: a new journal over the same bytes.
        guard var again = try? Journal(flash: journal.flash, firstSector: 1, sectors: 3),
            let length = (try? again.restore(into: &payload)) ?? nil
        else { return 4 }
        return payload[0] == 19 && length == 100 ? UInt64(again.sequence) : 5
    }
}
