import CrossingCore
import CrossingEmulation
import CrossingFirmware

/// libFuzzer target: the frame-file reader on any bytes, and the device counting what it
/// reads. A fault names an offset inside the file; the frames before it are counted.
///
/// The first byte picks a mode: odd, the harness writes correct CRCs into the header and every
/// whole record first, so that mutations reach the fields and the counting core behind them
/// instead of stopping at a CRC.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1 { sealCRCs(&bytes) }
    let reader: FrameFileReader
    do throws(FrameFileError) {
        reader = try FrameFileReader(bytes: bytes)
    } catch {
        precondition(error.offset >= 0 && error.offset <= max(bytes.count, FrameFileHeader.bytes), "a fault outside the file")
        return 0
    }
    var frames = reader
    guard var board = try? EmulatedBoard(config: reader.header.deviceConfig()) else {
        preconditionFailure("a header the reader took describes a device that does not boot")
    }
    var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
    while true {
        let record: FrameFileRecord
        do throws(FrameFileError) {
            guard let next = try frames.next(into: &zones) else { break }
            record = next
        } catch {
            precondition(error.offset >= FrameFileHeader.bytes && error.offset < bytes.count, "a fault outside the records")
            break
        }
        do {
            try board.deliver(lane: 0, record: record, zones: zones)
        } catch {
            preconditionFailure("the flash failed on a board with power: \(error)")
        }
    }
    precondition(board.device.outbox.count <= DeviceOutbox.recordsMax)
    return 0
}

/// Writes the CRC32 of the header and of each whole record where the format keeps it.
private func sealCRCs(_ bytes: inout [UInt8]) {
    let headerBytes = FrameFileHeader.bytes
    guard bytes.count >= headerBytes else { return }
    bytes.withUnsafeMutableBufferPointer { buffer in
        var span = MutableSpan(_unsafeElements: buffer)
        span.storeLittleEndian(span.span.crc32(0..<20), at: 20)
    }
    guard let header = try? FrameFileHeader.decode(bytes.span) else { return }
    var offset = headerBytes
    while offset + header.recordBytes <= bytes.count {
        let end = offset + header.recordBytes
        bytes.withUnsafeMutableBufferPointer { buffer in
            var span = MutableSpan(_unsafeElements: UnsafeMutableBufferPointer(rebasing: buffer[offset..<end]))
            span.storeLittleEndian(span.span.crc32(0..<(end - offset - 4)), at: end - offset - 4)
        }
        offset = end
    }
}
