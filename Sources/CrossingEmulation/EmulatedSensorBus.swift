import CrossingCore
import CrossingDevice
import CrossingSimulation

/// One sensor on the emulated bus.
public enum EmulatedSensor {
    case depth(EmulatedDepthSensor)
    case loops(EmulatedLoopFrontEnd)

    var bank: EmulatedRegisterBank {
        switch self {
        case .depth(let sensor): sensor.bank
        case .loops(let frontEnd): frontEnd.bank
        }
    }
}

/// The board's sensor bus: every lane's sensor at its own address, as on an I2C bus. A
/// transfer to an address no sensor answers is not acknowledged.
public struct EmulatedSensorBus: SensorBus {
    /// The sensors, in lane order.
    public private(set) var sensors: [EmulatedSensor]

    public init(sensors: [EmulatedSensor]) {
        self.sensors = sensors
    }

    /// Faults injected so far on every sensor together.
    public var injected: EmulatedRegisterBank.Injected {
        sensors.reduce(into: .init()) { sum, sensor in
            let injected = sensor.bank.injected
            sum.readNacks += injected.readNacks
            sum.writeNacks += injected.writeNacks
            sum.garbageReads += injected.garbageReads
            sum.garbageShortReads += injected.garbageShortReads
            sum.stuckReady += injected.stuckReady
        }
    }

    /// Latches a depth frame in `lane`'s sensor.
    public mutating func present(lane: Int, header: FrameHeader, zones: Span<ZoneReading>) {
        guard case .depth(var sensor) = sensors[lane] else { preconditionFailure("lane \(lane) has no depth sensor") }
        sensor.present(header: header, zones: zones)
        sensors[lane] = .depth(sensor)
    }

    /// Latches a loop scan in `lane`'s front end.
    public mutating func present(lane: Int, header: LoopFrameHeader, a: LoopReading, b: LoopReading) {
        guard case .loops(var frontEnd) = sensors[lane] else { preconditionFailure("lane \(lane) has no loop front end") }
        frontEnd.present(header: header, a: a, b: b)
        sensors[lane] = .loops(frontEnd)
    }

    public mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        guard let lane = sensors.firstIndex(where: { $0.bank.address == address }) else {
            throw .nack(address: address, register: register)
        }
        switch sensors[lane] {
        case .depth(var sensor):
            defer { sensors[lane] = .depth(sensor) }
            try sensor.read(address: address, register: register, into: &bytes)
        case .loops(var frontEnd):
            defer { sensors[lane] = .loops(frontEnd) }
            try frontEnd.read(address: address, register: register, into: &bytes)
        }
    }

    public mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        guard let lane = sensors.firstIndex(where: { $0.bank.address == address }) else {
            throw .nack(address: address, register: register)
        }
        switch sensors[lane] {
        case .depth(var sensor):
            defer { sensors[lane] = .depth(sensor) }
            try sensor.write(address: address, register: register, value: value)
        case .loops(var frontEnd):
            defer { sensors[lane] = .loops(frontEnd) }
            try frontEnd.write(address: address, register: register, value: value)
        }
    }
}
