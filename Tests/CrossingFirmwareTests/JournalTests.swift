import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import Testing

@Suite("Journal")
struct JournalTests {
    /// Totals of the 12 class x direction cells and the last frame counted, as a journal
    /// payload of 100 bytes.
    struct Snapshot: Equatable {
        var totals = [UInt64](repeating: 0, count: 12)
        var lastFrame: UInt32 = 0

        var bytes: [UInt8] {
            var out: [UInt8] = []
            for total in totals { for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: total >> shift)) } }
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: lastFrame >> shift)) }
            return out
        }
    }

    /// The snapshots of a run of 1,000 crossings, committed every 20: 50 of them.
    static let run: [Snapshot] = {
        var snapshot = Snapshot()
        var out: [Snapshot] = []
        for crossing in 1...1000 {
            snapshot.totals[(crossing * 7) % 12] += 1
            snapshot.lastFrame = UInt32(crossing * 9)
            if crossing % 20 == 0 { out.append(snapshot) }
        }
        return out
    }()

    /// Sectors the run's commits enter, each erased on entry.
    static var sectorsEntered: Int {
        let slotsPerSector = 4096 / Journal<EmulatedFlash>.slotBytes
        return (run.count + slotsPerSector - 1) / slotsPerSector
    }

    static func restored(_ flash: EmulatedFlash) throws -> Snapshot? {
        var journal = try Journal(flash: flash, firstSector: 0, sectors: 3)
        var payload = JournalPayload(repeating: 0)
        guard let length = try journal.restore(into: &payload) else { return nil }
        #expect(length == 100)
        var snapshot = Snapshot()
        for cell in 0..<12 {
            snapshot.totals[cell] = (0..<8).reduce(0) { $0 | UInt64(payload[cell * 8 + $1]) << (8 * $1) }
        }
        snapshot.lastFrame = (0..<4).reduce(0) { $0 | UInt32(payload[96 + $1]) << (8 * $1) }
        return snapshot
    }

    /// Commits the run from its start on a fresh journal until it ends or the power fails.
    /// Returns the journal's flash and how many commits returned.
    static func commit(_ snapshots: [Snapshot], on flash: EmulatedFlash) throws -> (EmulatedFlash, Int) {
        var journal = try Journal(flash: flash, firstSector: 0, sectors: 3)
        var payload = JournalPayload(repeating: 0)
        _ = try journal.restore(into: &payload)
        var done = 0
        for snapshot in snapshots {
            do {
                try snapshot.bytes.withUnsafeBufferPointer { buffer throws(FlashError) in
                    try journal.commit(Span(_unsafeElements: buffer))
                }
            } catch .powerLost {
                return (journal.flash, done)
            }
            done += 1
        }
        return (journal.flash, done)
    }

    @Test("A blank part holds nothing; the newest snapshot survives reboots and the ring wrapping twice")
    func restoresNewest() throws {
        #expect(try Self.restored(EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 3)) == nil)
        let (flash, done) = try Self.commit(Self.run, on: EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 3))
        #expect(done == 50)
        #expect(try Self.restored(flash) == Self.run.last)
        // 5 slots a sector, 3 sectors: 50 commits enter 10 sectors, erasing each 3 or 4 times.
        #expect(Self.sectorsEntered == 10)
        #expect(flash.erases.allSatisfy { $0 >= 3 && $0 <= 4 } && flash.erases.reduce(0, +) == Self.sectorsEntered)
    }

    @Test("A power cut at every program and erase of 1,000 crossings, atomic or torn: the last commit survives, never more or less")
    func powerCutEverywhere() throws {
        let (whole, _) = try Self.commit(Self.run, on: EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 3))
        var cuts = 0
        for operation in 1...whole.operations {
            for cut in [EmulatedFlash.Cut.atomic, .torn(quarters: 1), .torn(quarters: 2), .torn(quarters: 3)] {
                var flash = EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 3)
                flash.cutPower(atOperation: operation, cut)
                let (cutFlash, done) = try Self.commit(Self.run, on: flash)
                #expect(done < Self.run.count, "the cut at operation \(operation) fell inside the run")
                var rebooted = cutFlash
                rebooted.powerOn()
                let restored = try Self.restored(rebooted)
                #expect(restored == (done == 0 ? nil : Self.run[done - 1]), "cut at operation \(operation), \(cut)")
                // After the reboot the device goes on: the snapshot it lost commits, and wins.
                let (resumed, again) = try Self.commit([Self.run[done]], on: rebooted)
                #expect(again == 1)
                #expect(try Self.restored(resumed) == Self.run[done], "resume after cut at \(operation), \(cut)")
                cuts += 1
            }
        }
        // Four programs per commit, and an erase on entering each sector.
        let operations = 4 * Self.run.count + Self.sectorsEntered
        #expect(whole.operations == operations && cuts == 4 * operations)
    }

    @Test("A committed slot whose bytes rot is passed over for the snapshot before it")
    func corruptSlotFallsBack() throws {
        let (flash, _) = try Self.commit(Array(Self.run.prefix(3)), on: EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 3))
        // The third slot's first payload byte: clearing bits is all a program can do.
        var rotten = flash
        try [UInt8(0x00)].withUnsafeBufferPointer { buffer throws(FlashError) in
            try rotten.program(offset: 2 * Journal<EmulatedFlash>.slotBytes + 8, bytes: Span(_unsafeElements: buffer))
        }
        #expect(try Self.restored(rotten) == Self.run[1])
    }

    @Test("A journal refuses a layout that cannot work")
    func refusesBadLayout() {
        let flash = EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 3)
        #expect(throws: JournalError.tooFewSectors) { try Journal(flash: flash, firstSector: 0, sectors: 1) }
        #expect(throws: JournalError.sectorsOutsideFlash) { try Journal(flash: flash, firstSector: 2, sectors: 2) }
        #expect(throws: JournalError.sectorSmallerThanSlot) {
            try Journal(flash: EmulatedFlash(sectorSizeBytes: 64, sectorCount: 3), firstSector: 0, sectors: 2)
        }
    }
}
