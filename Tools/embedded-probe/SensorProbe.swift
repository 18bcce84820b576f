import CrossingCore
import CrossingDevice

/// The depth sensor's registers in RAM at bus address 0x29, holding one frame with data-ready set.
struct ProbeSensorBus: SensorBus {
    var registers = InlineArray<0x94, UInt8>(repeating: 0)

    init(sequence: UInt8) {
        registers[Int(DepthSensorRegisters.id)] = DepthSensorRegisters.idValue
        registers[Int(DepthSensorRegisters.status)] = LatchedFrameRegisters.dataReady
        registers[Int(DepthSensorRegisters.side)] = 8
        registers[Int(DepthSensorRegisters.sequence)] = sequence
        for zone in 0..<64 {
            registers[Int(DepthSensorRegisters.zones) + 2 * zone] = 0xA0
            registers[Int(DepthSensorRegisters.zones) + 2 * zone + 1] = 0x0F
        }
        updateCRC()
    }

    mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        guard address == 0x29, Int(register) + bytes.count <= 0x94 else { throw .nack(address: address, register: register) }
        for index in 0..<bytes.count { bytes[index] = registers[Int(register) + index] }
    }

    /// Data-ready again for the frame already read, as a stuck flag leaves it.
    mutating func raiseReady() {
        registers[Int(DepthSensorRegisters.status)] = LatchedFrameRegisters.dataReady
        updateCRC()
    }

    mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        guard address == 0x29, register == DepthSensorRegisters.status else { throw .nack(address: address, register: register) }
        registers[Int(register)] = value
        updateCRC()
    }

    private mutating func updateCRC() {
        var crc = CRC32()
        for index in 0..<Int(DepthSensorRegisters.crc) { crc.update(registers[index]) }
        for index in 0..<4 { registers[Int(DepthSensorRegisters.crc) + index] = UInt8(truncatingIfNeeded: crc.value >> (8 * index)) }
    }
}

extension Probe {
    /// Reads a frame through the driver, then the same frame again (stale, not handed on).
    static func sensor() -> UInt64 {
        var driver = DepthSensorDriver(address: 0x29)
        var bus = ProbeSensorBus(sequence: 7)
        var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
        guard let header = driver.poll(&bus, zones: &zones), header.sequence == 7 else { return 1 }
        bus.raiseReady()
        if driver.poll(&bus, zones: &zones) != nil || driver.health.staleFrames != 1 { return 2 }
        return driver.health.frames &+ UInt64(zones[0].distanceMm)
    }
}

/// The loop front end's registers in RAM, holding one scan with data-ready set.
struct ProbeLoopBus: SensorBus {
    var registers = InlineArray<0x24, UInt8>(repeating: 0)

    init() {
        registers[Int(LoopFrontEndRegisters.id)] = LoopFrontEndRegisters.idValue
        registers[Int(LoopFrontEndRegisters.status)] = LatchedFrameRegisters.dataReady
        registers[Int(LoopFrontEndRegisters.loops)] = 1 << 2
        registers[Int(LoopFrontEndRegisters.sequence)] = 5
        registers[Int(LoopFrontEndRegisters.shiftA)] = 200
        var crc = CRC32()
        for index in 0..<Int(LoopFrontEndRegisters.crc) { crc.update(registers[index]) }
        for index in 0..<4 { registers[Int(LoopFrontEndRegisters.crc) + index] = UInt8(truncatingIfNeeded: crc.value >> (8 * index)) }
    }

    mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        guard Int(register) + bytes.count <= 0x24 else { throw .nack(address: address, register: register) }
        for index in 0..<bytes.count { bytes[index] = registers[Int(register) + index] }
    }

    mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        throw .nack(address: address, register: register)
    }
}

extension Probe {
    /// Reads one scan through the loop driver: loop B reports open.
    static func loopFrontEnd() -> UInt64 {
        var driver = LoopFrontEndDriver(address: 0x30)
        var bus = ProbeLoopBus()
        guard let scan = driver.poll(&bus), scan.b.status == .open, scan.a.shiftPpm == 200 else { return 1 }
        return UInt64(scan.header.sequence) &+ driver.health.busErrors
    }
}
