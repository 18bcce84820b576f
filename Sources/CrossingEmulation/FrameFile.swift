import CrossingCore
import CrossingDevice
import CrossingFirmware

/// Where a frame file is wrong, and how.
public struct FrameFileError: Error, Equatable, CustomStringConvertible {
    /// Byte offset of the header or record at fault.
    public let offset: Int
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "byte \(offset): \(reason)" }
}

/// The header of a recorded frame file (Hardware/frame-format.md): the sensor and how it
/// hangs over its lane, which is all a replay needs to count.
public struct FrameFileHeader: Equatable, Sendable {
    static let magic: [UInt8] = Array("CCFR".utf8)
    static let version: UInt16 = 1
    static let depthGrid: UInt8 = 1
    static let bytes = 24

    public var side: UInt8
    public var frameRateMilliHz: UInt32
    public var mountHeightMm: UInt16
    public var floorSpanMm: UInt16
    public var linePermille: UInt16
    public var orientation: LaneOrientation

    /// The header of a recording of a lane counted with `config` at `frameRateHz`.
    public init(config: LaneConfig, frameRateHz: Double) {
        side = config.side
        frameRateMilliHz = UInt32((frameRateHz * 1000).rounded())
        mountHeightMm = config.mountHeightMm
        floorSpanMm = config.floorSpanMm
        linePermille = config.linePermille
        orientation = config.orientation
    }

    /// The lane as the header describes it, every other setting at its default.
    public var laneConfig: LaneConfig {
        var config = LaneConfig()
        config.side = side
        config.mountHeightMm = mountHeightMm
        config.floorSpanMm = floorSpanMm
        config.linePermille = linePermille
        config.orientation = orientation
        return config
    }

    var recordBytes: Int { 4 + 8 + 2 * Int(side) * Int(side) + 4 }
}

/// Writes a frame file in memory: the header, then one CRC-checked record per frame.
public struct FrameFileWriter {
    public let header: FrameFileHeader
    public private(set) var bytes: [UInt8] = []
    public private(set) var frames = 0

    public init(header: FrameFileHeader) {
        self.header = header
        bytes += FrameFileHeader.magic
        bytes.appendLittleEndian(FrameFileHeader.version, bytes: 2)
        bytes += [FrameFileHeader.depthGrid, header.side]
        bytes.appendLittleEndian(header.frameRateMilliHz, bytes: 4)
        bytes.appendLittleEndian(header.mountHeightMm, bytes: 2)
        bytes.appendLittleEndian(header.floorSpanMm, bytes: 2)
        bytes.appendLittleEndian(header.linePermille, bytes: 2)
        bytes += [header.orientation == .outboundTowardLastRow ? 0 : 1, 0]
        putCRC(from: 0)
    }

    /// Appends one frame.
    public mutating func append(header frame: FrameHeader, zones: Span<ZoneReading>) {
        precondition(frame.side == header.side && zones.count == Int(header.side) * Int(header.side))
        let start = bytes.count
        bytes.appendLittleEndian(frame.sequence, bytes: 4)
        bytes.appendLittleEndian(frame.timestampUs, bytes: 8)
        for index in zones.indices {
            let zone = zones[index]
            switch zone.status {
            case .valid: bytes.appendLittleEndian(min(zone.distanceMm, DepthSensorRegisters.saturatedMm - 1), bytes: 2)
            case .invalid: bytes.appendLittleEndian(DepthSensorRegisters.invalidMm, bytes: 2)
            case .saturated: bytes.appendLittleEndian(DepthSensorRegisters.saturatedMm, bytes: 2)
            }
        }
        putCRC(from: start)
        frames += 1
    }

    private mutating func putCRC(from start: Int) {
        var crc = CRC32()
        for index in start..<bytes.count { crc.update(bytes[index]) }
        bytes.appendLittleEndian(crc.value, bytes: 4)
    }
}

/// Reads a frame file back, frame by frame. A truncated or corrupt record is an error naming
/// its byte offset; every frame before it has been read.
public struct FrameFileReader {
    public let header: FrameFileHeader
    private let bytes: [UInt8]
    private var offset = FrameFileHeader.bytes

    public init(bytes: [UInt8]) throws(FrameFileError) {
        guard bytes.count >= FrameFileHeader.bytes else {
            throw FrameFileError(offset: 0, reason: "a header takes 24 bytes, the file has \(bytes.count)")
        }
        guard Array(bytes[0..<4]) == FrameFileHeader.magic else {
            throw FrameFileError(offset: 0, reason: "not a frame file (no CCFR magic)")
        }
        guard Self.crc(bytes, 0..<20) == Self.word(bytes, 20, 4) else {
            throw FrameFileError(offset: 20, reason: "header CRC does not match")
        }
        let version = UInt16(Self.word(bytes, 4, 2))
        guard version == FrameFileHeader.version else {
            throw FrameFileError(offset: 4, reason: "version \(version), this reader knows 1")
        }
        guard bytes[6] == FrameFileHeader.depthGrid else {
            throw FrameFileError(offset: 6, reason: "sensor kind \(bytes[6]), this reader knows 1 (depth grid)")
        }
        guard bytes[7] == 4 || bytes[7] == 8 else { throw FrameFileError(offset: 7, reason: "grid side \(bytes[7]), not 4 or 8") }
        var config = LaneConfig()
        config.side = bytes[7]
        config.mountHeightMm = UInt16(Self.word(bytes, 12, 2))
        config.floorSpanMm = UInt16(Self.word(bytes, 14, 2))
        config.linePermille = UInt16(Self.word(bytes, 16, 2))
        config.orientation = bytes[18] == 0 ? .outboundTowardLastRow : .outboundTowardFirstRow
        if let error = config.validate() {
            throw FrameFileError(offset: 8, reason: "the lane it describes is not usable: \(error.field) \(error.reason)")
        }
        header = FrameFileHeader(config: config, frameRateHz: Double(Self.word(bytes, 8, 4)) / 1000)
        self.bytes = bytes
    }

    /// Byte offset of the next record.
    public var position: Int { offset }

    /// The next frame, its zones in `zones`, or nil at the end of the file.
    public mutating func next(into zones: inout [ZoneReading]) throws(FrameFileError) -> FrameHeader? {
        guard offset < bytes.count else { return nil }
        let size = header.recordBytes
        guard bytes.count - offset >= size else {
            throw FrameFileError(offset: offset, reason: "truncated record: \(bytes.count - offset) of \(size) bytes")
        }
        guard Self.crc(bytes, offset..<(offset + size - 4)) == Self.word(bytes, offset + size - 4, 4) else {
            throw FrameFileError(offset: offset, reason: "record CRC does not match")
        }
        let count = Int(header.side) * Int(header.side)
        if zones.count != count { zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: count) }
        for zone in 0..<count {
            let mm = UInt16(Self.word(bytes, offset + 12 + 2 * zone, 2))
            switch mm {
            case DepthSensorRegisters.invalidMm: zones[zone] = ZoneReading(distanceMm: 0, status: .invalid)
            case DepthSensorRegisters.saturatedMm: zones[zone] = ZoneReading(distanceMm: 0, status: .saturated)
            default: zones[zone] = ZoneReading(distanceMm: mm)
            }
        }
        let frame = FrameHeader(
            sequence: UInt32(Self.word(bytes, offset, 4)), timestampUs: Self.word(bytes, offset + 4, 8), side: header.side)
        offset += size
        return frame
    }

    private static func word(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        (0..<count).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }

    private static func crc(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64 {
        var crc = CRC32()
        for index in range { crc.update(bytes[index]) }
        return UInt64(crc.value)
    }
}

extension FrameFileHeader {
    /// A device of one depth lane as the header describes it: what `record` counts on, and
    /// what `replay` counts on when given no config, so that the two agree.
    public var deviceConfig: DeviceConfig {
        var config = DeviceConfig()
        config.device = ShortText(text: "recorder")!
        config.site = ShortText(text: "recording")!
        let lane = DeviceLane(
            name: ShortText(text: "lane")!, address: 0x20, sensor: .depth(laneConfig, frameRateMilliHz: frameRateMilliHz))
        _ = config.append(lane)
        return config
    }
}
