import CrossingCore
import CrossingDevice
import CrossingFirmware
import CrossingSimulation

/// Where a frame file is wrong, and how, in words.
public struct FrameFileError: Error, Equatable, CustomStringConvertible {
    /// Byte offset of the header field or record at fault.
    public let offset: Int
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    init(_ fault: FrameFileFault) {
        offset = fault.offset
        switch fault.reason {
        case .shortHeader(let bytes): reason = "a header takes \(FrameFileHeader.bytes) bytes, the file has \(bytes)"
        case .noMagic: reason = "not a frame file (no CCFR magic)"
        case .headerCRC: reason = "header CRC does not match"
        case .version(let version): reason = "version \(version), this reader knows \(FrameFileHeader.version)"
        case .sensorKind(let kind): reason = "sensor kind \(kind), this reader knows 1 (depth grid) and 2 (loop pair)"
        case .gridSide(let side): reason = "grid side \(side), not 4 or 8"
        case .lane(let error): reason = "the lane it describes is not usable: \(error.field) \(error.reason)"
        case .truncatedRecord(let bytes, let expected): reason = "truncated record: \(bytes) of \(expected) bytes"
        case .recordCRC: reason = "record CRC does not match"
        case .loopStatus(let status): reason = "loop status byte \(status) is not two loop states (0 ok, 1 open, 2 shorted)"
        }
    }

    public var description: String { "byte \(offset): \(reason)" }
}

/// Writes a frame file in memory: the header, then one CRC-checked record per frame or scan.
public struct FrameFileWriter {
    public let header: FrameFileHeader
    public private(set) var bytes: [UInt8]
    public private(set) var frames = 0

    public init(header: FrameFileHeader) {
        self.header = header
        bytes = [UInt8](repeating: 0, count: FrameFileHeader.bytes)
        var span = bytes.mutableSpan
        header.encode(into: &span)
    }

    /// Appends a depth frame.
    public mutating func append(header frame: FrameHeader, zones: Span<ZoneReading>) {
        var record = [UInt8](repeating: 0, count: header.recordBytes)
        var span = record.mutableSpan
        header.encode(frame, zones: zones, into: &span)
        bytes += record
        frames += 1
    }

    /// Appends a loop scan.
    public mutating func append(_ scan: LoopScan) {
        var record = [UInt8](repeating: 0, count: header.recordBytes)
        var span = record.mutableSpan
        header.encode(scan.header, a: scan.a, b: scan.b, into: &span)
        bytes += record
        frames += 1
    }
}

/// Reads a frame file back, record by record. A truncated or corrupt record is an error naming
/// its byte offset; every record before it has been read.
public struct FrameFileReader {
    public let header: FrameFileHeader
    private let bytes: [UInt8]
    private var offset = FrameFileHeader.bytes

    public init(bytes: [UInt8]) throws(FrameFileError) {
        do throws(FrameFileFault) {
            header = try FrameFileHeader.decode(bytes.span)
        } catch {
            throw FrameFileError(error)
        }
        self.bytes = bytes
    }

    /// Byte offset of the next record.
    public var position: Int { offset }

    /// The next record, a depth frame's zones in the front of `zones`, or nil at the end.
    public mutating func next(into zones: inout InlineArray<64, ZoneReading>) throws(FrameFileError) -> FrameFileRecord? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + header.recordBytes)
        do throws(FrameFileFault) {
            let record = try header.decode(bytes.span.extracting(offset..<end), offset: offset, zones: &zones)
            offset = end
            return record
        } catch {
            throw FrameFileError(error)
        }
    }
}

extension EmulatedBoard {
    /// `lane`'s sensor latches a recorded frame or scan (a depth frame's zones in `zones`), and
    /// the main loop turns twice.
    public mutating func deliver(lane: Int, record: FrameFileRecord, zones: InlineArray<64, ZoneReading>) throws(FlashError) {
        switch record {
        case .depth(let frame):
            try deliver(lane: lane, header: frame, zones: zones.span.extracting(0..<(Int(frame.side) * Int(frame.side))))
        case .loops(let scan, let a, let b):
            try deliver(lane: lane, scan: LoopScan(header: scan, a: a, b: b))
        }
    }
}
