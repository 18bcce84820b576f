import CrossingCore
import CrossingDevice

/// What a frame file records, and how the sensor hangs over its lane: all a replay needs.
public enum FrameFileSensor: Equatable, Sendable {
    /// An overhead depth grid's frames.
    case depth(LaneConfig)
    /// A loop front end's scans of a lane's two loops.
    case loops(LoopConfig)
}

/// Where a frame file is wrong, and how: the byte offset of the header field or record at
/// fault, and the reason. Reading stops there; every record before it was good.
public struct FrameFileFault: Error, Equatable {
    public enum Reason: Equatable, Sendable {
        case shortHeader(bytes: Int)
        case noMagic
        case headerCRC
        case version(UInt16)
        case sensorKind(UInt8)
        case gridSide(UInt8)
        /// The lane the header describes is not one the counting core accepts.
        case lane(ConfigError)
        case truncatedRecord(bytes: Int, expected: Int)
        case recordCRC
        case loopStatus(UInt8)
    }

    public let offset: Int
    public let reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }
}

/// One record of a frame file, decoded. A depth frame's zones go to the caller's buffer.
public enum FrameFileRecord: Equatable {
    case depth(FrameHeader)
    case loops(LoopFrameHeader, a: LoopReading, b: LoopReading)
}

/// The header of a frame file (Hardware/frame-format.md, version 1), and the codec of its
/// records. Every field is little-endian and every header and record carries a CRC32, so the
/// same bytes mean the same frames on every rig, a board's included.
public struct FrameFileHeader: Equatable, Sendable {
    public static var bytes: Int { 24 }
    public static var version: UInt16 { 1 }
    static var magic: UInt32 { 0x5246_4343 }  // "CCFR"
    static var depthKind: UInt8 { 1 }
    static var loopsKind: UInt8 { 2 }
    /// A loop record: sequence, A's time and shift, B's time and shift, both loops' status.
    static var loopRecordBytes: Int { 4 + 8 + 4 + 8 + 4 + 1 + 4 }

    /// The bus address of the lane's sensor on a device counting a recording.
    public static var laneAddress: UInt8 { 0x20 }

    public var sensor: FrameFileSensor
    public var frameRateMilliHz: UInt32

    /// A recording of a depth lane counted with `config`, its sensor at `frameRateMilliHz`.
    public init(depth config: LaneConfig, frameRateMilliHz: UInt32) {
        sensor = .depth(config)
        self.frameRateMilliHz = frameRateMilliHz
    }

    /// A recording of a loop lane counted with `config`, scanned at its sample rate.
    public init(loops config: LoopConfig) {
        sensor = .loops(config)
        frameRateMilliHz = UInt32(config.sampleRateHz) * 1000
    }

    /// Bytes per record, its CRC included: 144 for an 8x8 depth frame, 33 for a loop scan.
    public var recordBytes: Int {
        switch sensor {
        case .depth(let config): 4 + 8 + 2 * Int(config.side) * Int(config.side) + 4
        case .loops: Self.loopRecordBytes
        }
    }

    /// Writes the header's 24 bytes.
    public func encode(into bytes: inout MutableSpan<UInt8>) {
        precondition(bytes.count >= Self.bytes)
        bytes.storeLittleEndian(Self.magic, at: 0)
        bytes.storeLittleEndian(Self.version, at: 4)
        bytes.storeLittleEndian(frameRateMilliHz, at: 8)
        bytes[19] = 0
        switch sensor {
        case .depth(let config):
            bytes[6] = Self.depthKind
            bytes[7] = config.side
            bytes.storeLittleEndian(config.mountHeightMm, at: 12)
            bytes.storeLittleEndian(config.floorSpanMm, at: 14)
            bytes.storeLittleEndian(config.linePermille, at: 16)
            bytes[18] = config.orientation == .outboundTowardLastRow ? 0 : 1
        case .loops(let config):
            bytes[6] = Self.loopsKind
            bytes[7] = 0
            bytes.storeLittleEndian(config.loopLengthMm, at: 12)
            bytes.storeLittleEndian(config.loopSpacingMm, at: 14)
            bytes.storeLittleEndian(config.fringeMm, at: 16)
            bytes[18] = config.outboundCrossesAFirst ? 0 : 1
        }
        bytes.storeLittleEndian(bytes.span.crc32(0..<20), at: 20)
    }

    /// Reads a header from the first 24 bytes of `bytes`: the lane it describes, every other
    /// setting at its default.
    public static func decode(_ bytes: Span<UInt8>) throws(FrameFileFault) -> FrameFileHeader {
        guard bytes.count >= Self.bytes else { throw FrameFileFault(offset: 0, reason: .shortHeader(bytes: bytes.count)) }
        guard bytes.loadLittleEndian(at: 0, as: UInt32.self) == magic else { throw FrameFileFault(offset: 0, reason: .noMagic) }
        guard bytes.crc32(0..<20) == bytes.loadLittleEndian(at: 20, as: UInt32.self) else {
            throw FrameFileFault(offset: 20, reason: .headerCRC)
        }
        let version = bytes.loadLittleEndian(at: 4, as: UInt16.self)
        guard version == Self.version else { throw FrameFileFault(offset: 4, reason: .version(version)) }
        let rate = bytes.loadLittleEndian(at: 8, as: UInt32.self)
        let header: FrameFileHeader
        switch bytes[6] {
        case depthKind:
            guard bytes[7] == 4 || bytes[7] == 8 else { throw FrameFileFault(offset: 7, reason: .gridSide(bytes[7])) }
            var config = LaneConfig()
            config.side = bytes[7]
            config.mountHeightMm = bytes.loadLittleEndian(at: 12, as: UInt16.self)
            config.floorSpanMm = bytes.loadLittleEndian(at: 14, as: UInt16.self)
            config.linePermille = bytes.loadLittleEndian(at: 16, as: UInt16.self)
            config.orientation = bytes[18] == 0 ? .outboundTowardLastRow : .outboundTowardFirstRow
            if let error = config.validate() { throw FrameFileFault(offset: 8, reason: .lane(error)) }
            // The device's own rule for a depth sensor's rate, the part's: a header it would
            // refuse to boot on is refused here, at its field (Tools/fuzz frame-file).
            guard DepthSensorEnvelope.delivers(side: config.side, frameRateMilliHz: rate) else {
                let reason = DepthSensorEnvelope.frameRateReason(side: config.side)
                throw FrameFileFault(offset: 8, reason: .lane(ConfigError(field: "frame_rate_hz", reason: reason)))
            }
            header = FrameFileHeader(depth: config, frameRateMilliHz: rate)
        case loopsKind:
            var config = LoopConfig()
            config.sampleRateHz = UInt16(truncatingIfNeeded: rate / 1000)
            config.loopLengthMm = bytes.loadLittleEndian(at: 12, as: UInt16.self)
            config.loopSpacingMm = bytes.loadLittleEndian(at: 14, as: UInt16.self)
            config.fringeMm = bytes.loadLittleEndian(at: 16, as: UInt16.self)
            config.outboundCrossesAFirst = bytes[18] == 0
            if let error = config.validate() { throw FrameFileFault(offset: 8, reason: .lane(error)) }
            header = FrameFileHeader(loops: config)
        default:
            throw FrameFileFault(offset: 6, reason: .sensorKind(bytes[6]))
        }
        return header
    }

    /// Writes a depth frame as a record of `recordBytes`.
    public func encode(_ frame: FrameHeader, zones: Span<ZoneReading>, into bytes: inout MutableSpan<UInt8>) {
        guard case .depth(let config) = sensor, frame.side == config.side else { preconditionFailure("not this file's sensor") }
        precondition(zones.count == Int(config.side) * Int(config.side) && bytes.count >= recordBytes)
        bytes.storeLittleEndian(frame.sequence, at: 0)
        bytes.storeLittleEndian(frame.timestampUs, at: 4)
        for zone in zones.indices {
            bytes.storeLittleEndian(DepthSensorRegisters.encode(zones[zone]), at: 12 + 2 * zone)
        }
        bytes.storeLittleEndian(bytes.span.crc32(0..<(recordBytes - 4)), at: recordBytes - 4)
    }

    /// Writes a loop scan as a record of `recordBytes`. The scan's time is loop A's.
    public func encode(_ scan: LoopFrameHeader, a: LoopReading, b: LoopReading, into bytes: inout MutableSpan<UInt8>) {
        guard case .loops = sensor else { preconditionFailure("not this file's sensor") }
        precondition(bytes.count >= recordBytes)
        bytes.storeLittleEndian(scan.sequence, at: 0)
        bytes.storeLittleEndian(a.timestampUs, at: 4)
        bytes.storeLittleEndian(a.shiftPpm, at: 12)
        bytes.storeLittleEndian(b.timestampUs, at: 16)
        bytes.storeLittleEndian(b.shiftPpm, at: 24)
        bytes[28] = a.status.rawValue | b.status.rawValue << 2
        bytes.storeLittleEndian(bytes.span.crc32(0..<29), at: 29)
    }

    /// Decodes the record in the first `recordBytes` of `bytes`, which starts at byte `offset`
    /// of the file (for the fault). A depth frame's zones go to the front of `zones`.
    public func decode(
        _ bytes: Span<UInt8>, offset: Int, zones: inout InlineArray<64, ZoneReading>
    ) throws(FrameFileFault) -> FrameFileRecord {
        guard bytes.count >= recordBytes else {
            throw FrameFileFault(offset: offset, reason: .truncatedRecord(bytes: bytes.count, expected: recordBytes))
        }
        guard bytes.crc32(0..<(recordBytes - 4)) == bytes.loadLittleEndian(at: recordBytes - 4, as: UInt32.self) else {
            throw FrameFileFault(offset: offset, reason: .recordCRC)
        }
        let sequence = bytes.loadLittleEndian(at: 0, as: UInt32.self)
        let timeUs = bytes.loadLittleEndian(at: 4, as: UInt64.self)
        switch sensor {
        case .depth(let config):
            for zone in 0..<(Int(config.side) * Int(config.side)) {
                zones[zone] = DepthSensorRegisters.decode(bytes.loadLittleEndian(at: 12 + 2 * zone, as: UInt16.self))
            }
            return .depth(FrameHeader(sequence: sequence, timestampUs: timeUs, side: config.side))
        case .loops:
            let status = bytes[28]
            guard let statusA = LoopStatus(rawValue: status & 3), let statusB = LoopStatus(rawValue: status >> 2 & 3),
                status >> 4 == 0
            else { throw FrameFileFault(offset: offset + 28, reason: .loopStatus(status)) }
            let a = LoopReading(shiftPpm: bytes.loadLittleEndian(at: 12, as: Int32.self), timestampUs: timeUs, status: statusA)
            let b = LoopReading(
                shiftPpm: bytes.loadLittleEndian(at: 24, as: Int32.self), timestampUs: bytes.loadLittleEndian(at: 16, as: UInt64.self),
                status: statusB)
            return .loops(LoopFrameHeader(sequence: sequence, timestampUs: timeUs), a: a, b: b)
        }
    }

    /// A device of one lane as the header describes it: what `record` and `replay` count on,
    /// and what a HIL rig runs, so that they all agree.
    public func deviceConfig() -> DeviceConfig {
        var config = DeviceConfig()
        deviceConfig(into: &config)
        return config
    }

    /// `deviceConfig()` written into `config`, in place (docs/embedded.md, "Stack").
    public func deviceConfig(into config: inout DeviceConfig) {
        config.reset()
        config.device = ShortText(static: "recorder")
        config.site = ShortText(static: "recording")
        let laneSensor: LaneSensor
        switch sensor {
        case .depth(let lane): laneSensor = .depth(lane, frameRateMilliHz: frameRateMilliHz)
        case .loops(let loops): laneSensor = .loops(loops)
        }
        _ = config.append(DeviceLane(name: ShortText(static: "lane"), address: Self.laneAddress, sensor: laneSensor))
    }
}
