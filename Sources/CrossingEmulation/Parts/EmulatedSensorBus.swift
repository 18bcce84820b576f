import CrossingCore
import CrossingDevice
import CrossingSimulation

/// The board's sensor bus: every lane's sensor at its own address, as on an I2C bus. A
/// transfer to an address no sensor answers is not acknowledged.
public struct EmulatedSensorBus: FrameLatchingBus {
    /// The sensors' registers, in lane order.
    public private(set) var banks: [EmulatedRegisterBank]

    public init(banks: [EmulatedRegisterBank]) {
        self.banks = banks
    }

    /// Faults injected so far on every sensor together.
    public var injected: EmulatedRegisterBank.Injected {
        banks.reduce(into: .init()) { sum, bank in
            sum.readNacks += bank.injected.readNacks
            sum.writeNacks += bank.injected.writeNacks
            sum.garbageReads += bank.injected.garbageReads
            sum.garbageShortReads += bank.injected.garbageShortReads
            sum.stuckReady += bank.injected.stuckReady
        }
    }

    /// Latches a depth frame in `lane`'s sensor.
    public mutating func present(lane: Int, header: FrameHeader, zones: Span<ZoneReading>) {
        EmulatedDepthSensor.present(header: header, zones: zones, on: &banks[lane])
    }

    /// Latches a loop scan in `lane`'s front end.
    public mutating func present(lane: Int, header: LoopFrameHeader, a: LoopReading, b: LoopReading) {
        EmulatedLoopFrontEnd.present(header: header, a: a, b: b, on: &banks[lane])
    }

    public mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        guard let lane = banks.firstIndex(where: { $0.address == address }) else {
            throw .nack(address: address, register: register)
        }
        try banks[lane].read(address: address, register: register, into: &bytes)
    }

    public mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        guard let lane = banks.firstIndex(where: { $0.address == address }) else {
            throw .nack(address: address, register: register)
        }
        try banks[lane].write(address: address, register: register, value: value)
    }
}
