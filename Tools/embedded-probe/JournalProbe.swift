import CrossingDevice
import CrossingFirmware

@_extern(c, "probe_flash_bytes")
func probeFlashBytes() -> UnsafeMutablePointer<UInt8>

/// Flash in RAM (flash.c): seven 4 KiB sectors (the config, a two-sector journal, a
/// four-sector outbox log), reached through a pointer as a board's flash part is.
typealias ProbeFlash = MemoryFlash

func probeFlash() -> ProbeFlash {
    MemoryFlash(bytes: probeFlashBytes(), sectorSizeBytes: 4096, sectorCount: 7)
}

extension Probe {
    /// Commits 20 snapshots through the ring, then restores the newest: its sequence number.
    static func journal() -> UInt64 {
        guard var journal = try? Journal(flash: probeFlash(), firstSector: 1, sectors: 3) else { return 1 }
        var payload = JournalPayload(repeating: 0)
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
