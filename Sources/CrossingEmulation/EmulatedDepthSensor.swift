import CrossingCore
import CrossingDevice

/// The depth sensor's front end as its register map (`DepthSensorRegisters`), fed frame by
/// frame by the host, with bus faults at a chosen rate: a transfer not acknowledged, garbage
/// bytes in a read, or an acknowledgement that does not clear data-ready (a stuck flag).
public struct EmulatedDepthSensor<Random: RandomNumberGenerator>: SensorBus {
    /// Faults injected so far, by kind.
    public struct Injected: Equatable, Sendable {
        public var readNacks = 0
        public var writeNacks = 0
        public var garbageReads = 0
        public var stuckReady = 0

        public init() {}
    }

    public private(set) var registers = [UInt8](repeating: 0, count: DepthSensorRegisters.frameBytes)
    public private(set) var injected = Injected()
    /// Frames latched, and frames replaced before they were acknowledged.
    public private(set) var framesPresented = 0
    public private(set) var overruns = 0
    private let faultRate: Double
    private var random: Random

    /// A sensor whose transfers fail at `faultRate` (0...1), drawn from `random`.
    public init(faultRate: Double = 0, random: Random) {
        precondition(faultRate >= 0 && faultRate <= 1)
        self.faultRate = faultRate
        self.random = random
        registers[Int(DepthSensorRegisters.id)] = DepthSensorRegisters.idValue
        updateCRC()
    }

    /// Latches a frame, as the sensor does at the end of a measurement.
    public mutating func present(header: FrameHeader, zones: Span<ZoneReading>) {
        precondition(zones.count == Int(header.side) * Int(header.side))
        var status = DepthSensorRegisters.dataReady
        if registers[Int(DepthSensorRegisters.status)] & DepthSensorRegisters.dataReady != 0 {
            status |= DepthSensorRegisters.overrun
            overruns += 1
        }
        registers[Int(DepthSensorRegisters.status)] = status
        registers[Int(DepthSensorRegisters.side)] = header.side
        put(UInt64(header.sequence), bytes: 4, at: Int(DepthSensorRegisters.sequence))
        put(header.timestampUs, bytes: 8, at: Int(DepthSensorRegisters.timestamp))
        for zone in 0..<64 {
            var mm = DepthSensorRegisters.invalidMm
            if zone < zones.count {
                switch zones[zone].status {
                case .valid: mm = min(zones[zone].distanceMm, DepthSensorRegisters.saturatedMm - 1)
                case .invalid: mm = DepthSensorRegisters.invalidMm
                case .saturated: mm = DepthSensorRegisters.saturatedMm
                }
            }
            put(UInt64(mm), bytes: 2, at: Int(DepthSensorRegisters.zones) + 2 * zone)
        }
        updateCRC()
        framesPresented += 1
    }

    public mutating func read(register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        let fault = roll()
        if fault == 1 {
            injected.readNacks += 1
            throw .nack(register: register)
        }
        for index in 0..<bytes.count {
            let address = Int(register) + index
            bytes[index] = address < registers.count ? registers[address] : 0
        }
        if fault == 2 && bytes.count > 0 {
            injected.garbageReads += 1
            let index = Int(random.next() % UInt64(bytes.count))
            bytes[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
        }
    }

    public mutating func write(register: UInt8, value: UInt8) throws(BusError) {
        let fault = roll()
        if fault == 1 {
            injected.writeNacks += 1
            throw .nack(register: register)
        }
        guard register == DepthSensorRegisters.status else { return }
        if fault == 2 {
            injected.stuckReady += 1
            return
        }
        registers[Int(register)] = value
        updateCRC()
    }

    private mutating func updateCRC() {
        var crc = CRC32()
        for index in 0..<Int(DepthSensorRegisters.crc) { crc.update(registers[index]) }
        put(UInt64(crc.value), bytes: 4, at: Int(DepthSensorRegisters.crc))
    }

    /// 0 for a clean transfer, 1 for a NACK, 2 for the other fault of the transfer's kind.
    private mutating func roll() -> Int {
        guard faultRate > 0, Double(random.next() >> 11) * 0x1p-53 < faultRate else { return 0 }
        return random.next() & 1 == 0 ? 1 : 2
    }

    private mutating func put(_ value: UInt64, bytes count: Int, at offset: Int) {
        for index in 0..<count { registers[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}
