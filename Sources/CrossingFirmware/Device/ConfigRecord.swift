import CrossingCore
import CrossingDevice

/// The device configuration as a record in its own flash sector (docs/device-config.md):
/// magic, version, body length, the body, and a CRC32 of all before it. Written once when the
/// device is provisioned, read at every boot.
public enum ConfigRecord {
    static var magic: UInt32 { 0x4746_4343 }  // "CCFG"
    static var version: UInt8 { 1 }
    static var headerBytes: Int { 7 }
    /// Largest record: three texts, a key and four lanes with long names.
    static var bytesMax: Int { 640 }
    static var depthKind: UInt8 { 1 }
    static var loopsKind: UInt8 { 2 }

    /// Erases `sector` and writes `config` to it, then reads the bytes back to prove them. A
    /// config that does not validate is refused before the flash is touched. Only the fields
    /// the record holds are kept (docs/device-config.md); every other lane setting boots at its
    /// default. `config` is `inout` only to be read in place (docs/embedded.md, "Stack"); it is
    /// not changed.
    public static func write(_ config: inout DeviceConfig, to flash: inout some Flash, sector: Int) throws(RecordError) {
        if let error = config.validate() { throw .invalid(error) }
        var record = RecordWriter<640>()
        encode(&config, into: &record)
        let base = sector * flash.sectorSizeBytes
        var damagedAt: Int?
        do throws(FlashError) {
            try flash.erase(sector: sector)
            try flash.program(offset: base, bytes: record.bytes.span.extracting(0..<record.count))
            for index in 0..<record.count where damagedAt == nil {
                if try flash.read(offset: base + index) != record.bytes[index] { damagedAt = base + index }
            }
        } catch {
            throw .flash(error)
        }
        if let damagedAt { throw .corrupt(offset: damagedAt) }
    }

    private static func encode(_ config: inout DeviceConfig, into record: inout RecordWriter<640>) {
        record.put(magic)
        record.put(version)
        record.put(UInt16(0))
        record.put(config.binIntervalS)
        record.put(config.persistIntervalS)
        record.put(config.device)
        record.put(config.site)
        record.put(config.export)
        record.put(UInt8(config.keyPresent ? 1 : 0))
        for index in 0..<32 { record.put(config.key[index]) }
        record.put(UInt8(config.laneCount))
        for index in 0..<config.laneCount {
            let lane = config.lane(index)
            record.put(lane.name)
            record.put(lane.address)
            switch lane.sensor {
            case .depth(let lane, let frameRateMilliHz):
                record.put(depthKind)
                record.put(lane.side)
                record.put(lane.mountHeightMm)
                record.put(lane.floorSpanMm)
                record.put(lane.linePermille)
                record.put(lane.orientation.rawValue)
                record.put(frameRateMilliHz)
            case .loops(let loops):
                record.put(loopsKind)
                record.put(loops.sampleRateHz)
                record.put(loops.loopLengthMm)
                record.put(loops.loopSpacingMm)
                record.put(UInt8(loops.outboundCrossesAFirst ? 1 : 0))
            }
        }
        let bodyBytes = UInt16(record.count - headerBytes)
        record.bytes[5] = UInt8(truncatingIfNeeded: bodyBytes)
        record.bytes[6] = UInt8(truncatingIfNeeded: bodyBytes >> 8)
        record.put(record.crc)
    }

    /// The configuration held in `sector`, checked whole and validated.
    public static func read(from flash: some Flash, sector: Int) throws(RecordError) -> DeviceConfig {
        var config = DeviceConfig()
        try read(from: flash, sector: sector, into: &config)
        return config
    }

    /// `read(from:sector:)` into `config`, in place: a device boots its config where it lies
    /// (docs/embedded.md, "Stack"). On an error `config` holds part of the record: boot stops.
    public static func read(from flash: some Flash, sector: Int, into config: inout DeviceConfig) throws(RecordError) {
        let base = sector * flash.sectorSizeBytes
        var header = RecordReader(flash: flash, offset: base, end: base + headerBytes)
        let foundMagic = try header.get(UInt32.self)
        if foundMagic == 0xFFFF_FFFF { throw .blank }
        guard foundMagic == magic else { throw .corrupt(offset: base) }
        guard try header.get(UInt8.self) == version else { throw .corrupt(offset: base + 4) }
        let bodyBytes = Int(try header.get(UInt16.self))
        guard headerBytes + bodyBytes + 4 <= min(bytesMax, flash.sectorSizeBytes) else { throw .corrupt(offset: base + 5) }
        // Read again from the start, so that the CRC covers the header too.
        var body = RecordReader(flash: flash, offset: base, end: base + headerBytes + bodyBytes)
        _ = try body.get(UInt32.self)
        _ = try body.get(UInt8.self)
        _ = try body.get(UInt16.self)
        config.reset()
        config.binIntervalS = try body.get(UInt32.self)
        config.persistIntervalS = try body.get(UInt32.self)
        config.device = try body.text()
        config.site = try body.text()
        config.export = try body.text()
        config.keyPresent = try body.get(UInt8.self) == 1
        for index in 0..<32 { config.key[index] = try body.get(UInt8.self) }
        let lanes = Int(try body.get(UInt8.self))
        guard lanes <= DeviceConfig.lanesMax else { throw .corrupt(offset: body.offset - 1) }
        for _ in 0..<lanes {
            let name = try body.text()
            let address = try body.get(UInt8.self)
            let kindOffset = body.offset
            let sensor: LaneSensor
            switch try body.get(UInt8.self) {
            case depthKind:
                var lane = LaneConfig()
                lane.side = try body.get(UInt8.self)
                lane.mountHeightMm = try body.get(UInt16.self)
                lane.floorSpanMm = try body.get(UInt16.self)
                lane.linePermille = try body.get(UInt16.self)
                guard let orientation = LaneOrientation(rawValue: try body.get(UInt8.self)) else {
                    throw .corrupt(offset: body.offset - 1)
                }
                lane.orientation = orientation
                sensor = .depth(lane, frameRateMilliHz: try body.get(UInt32.self))
            case loopsKind:
                var loops = LoopConfig()
                loops.sampleRateHz = try body.get(UInt16.self)
                loops.loopLengthMm = try body.get(UInt16.self)
                loops.loopSpacingMm = try body.get(UInt16.self)
                loops.outboundCrossesAFirst = try body.get(UInt8.self) == 1
                sensor = .loops(loops)
            default:
                throw .corrupt(offset: kindOffset)
            }
            _ = config.append(DeviceLane(name: name, address: address, sensor: sensor))
        }
        guard body.offset == body.end else { throw .corrupt(offset: body.offset) }
        let computed = body.crc.value
        var trailer = RecordReader(flash: flash, offset: body.end, end: body.end + 4)
        guard try trailer.get(UInt32.self) == computed else { throw .corrupt(offset: body.end) }
        if let error = config.validate() { throw .invalid(error) }
    }
}
