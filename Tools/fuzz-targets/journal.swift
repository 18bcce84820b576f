import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import Foundation

/// libFuzzer target: a device booting on any flash contents. The first half of the input fills
/// the journal's sectors, the second the outbox log's (the config record is valid, written by
/// the board). Boot must succeed or refuse with an error; then the device counts, commits, and
/// boots again with the same totals.
///
/// The first byte picks a mode: odd, the harness writes correct CRCs into every journal slot
/// and outbox-log entry, so that mutations reach the snapshot and the
/// records instead of stopping at a CRC (docs/journal.md has both layouts).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let sector = EmulatedBoard.flashSectorBytes
    let journalStart = sector
    let logStart = (EmulatedBoard.flashSectors - EmulatedBoard.Device.outboxSectors) * sector
    let half = bytes.count / 2
    var journal = Array(bytes[..<min(half, logStart - journalStart)])
    var log = Array(bytes[half...].prefix(EmulatedBoard.Device.outboxSectors * sector))
    if data[0] & 1 == 1 {
        seal(&journal, slotBytes: Journal<EmulatedFlash>.slotBytes, crcAt: Journal<EmulatedFlash>.slotBytes - 8) { slot in
            8 + min(Int(slot[slot.startIndex + 2]) | Int(slot[slot.startIndex + 3]) << 8, Journal<EmulatedFlash>.payloadMax)
        }
        seal(&log, slotBytes: 100, crcAt: 92) { _ in 92 }
    }
    bytes = []
    var flash = EmulatedBoard.blankFlash()
    do {
        try journal.withUnsafeBufferPointer { try flash.program(offset: journalStart, bytes: Span(_unsafeElements: $0)) }
        try log.withUnsafeBufferPointer { try flash.program(offset: logStart, bytes: Span(_unsafeElements: $0)) }
    } catch {
        preconditionFailure("programming blank flash failed: \(error)")
    }
    guard var board = try? EmulatedBoard(config: FuzzDevice.config, flash: flash) else { return 0 }
    precondition(board.device.outbox.count <= DeviceOutbox.recordsMax)
    do {
        for second in 1...3 { try board.idle(atUs: UInt64(second) * 1_000_000) }
        try board.device.closeBins()
        try board.device.persist()
        let totals = (0..<2).map { board.device.grandTotal(lane: $0) }
        try board.reboot()
        precondition((0..<2).map { board.device.grandTotal(lane: $0) } == totals, "a reboot after a commit changed the totals")
    } catch {
        preconditionFailure("a device booted on this flash failed: \(error)")
    }
    return 0
}

/// A device of a depth lane and a loop lane, as the sites have.
enum FuzzDevice {
    static let config: DeviceConfig = {
        let json = """
            {"device": "fuzz", "site": "fuzz", "lanes": [
              {"name": "walkway", "address": 41,
               "sensor": {"kind": "depth", "grid": 8, "mount_height_mm": 4000, "floor_span_mm": 4619}},
              {"name": "road", "address": 48,
               "sensor": {"kind": "loops", "loop_length_mm": 1500, "loop_spacing_mm": 4000}}]}
            """
        do {
            return try DeviceConfigFile.parse(data: Data(json.utf8))
        } catch {
            preconditionFailure("the fuzz device's config: \(error)")
        }
    }()
}

/// Writes, in each whole `slotBytes` slot, the CRC32 of its first `covered(slot)` bytes at
/// `crcAt`.
private func seal(_ bytes: inout [UInt8], slotBytes: Int, crcAt: Int, covered: (ArraySlice<UInt8>) -> Int) {
    var base = 0
    while base + slotBytes <= bytes.count {
        let slot = bytes[base..<(base + slotBytes)]
        let count = min(covered(slot), crcAt)
        var crc = CRC32()
        for index in base..<(base + count) { crc.update(bytes[index]) }
        for index in 0..<4 { bytes[base + crcAt + index] = UInt8(truncatingIfNeeded: crc.value >> (8 * index)) }
        base += slotBytes
    }
}
