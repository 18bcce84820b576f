import CrossingCore
import CrossingDevice
import CrossingSimulation

/// The depth sensor's front end as its register map (`DepthSensorRegisters`), fed frame by
/// frame by the host, with bus faults at a chosen rate (see `EmulatedRegisterBank`).
public struct EmulatedDepthSensor: SensorBus {
    public private(set) var bank: EmulatedRegisterBank

    /// A sensor at bus `address` whose transfers fail at `faultRate` (0...1), drawn from `random`.
    public init(address: UInt8, faultRate: Double = 0, random: SplitMix64) {
        bank = EmulatedRegisterBank(
            address: address, id: DepthSensorRegisters.idValue, frameBytes: DepthSensorRegisters.frameBytes, faultRate: faultRate,
            random: random)
    }

    public var injected: EmulatedRegisterBank.Injected { bank.injected }
    public var framesPresented: Int { bank.framesLatched }

    /// Latches a frame, as the sensor does at the end of a measurement.
    public mutating func present(header: FrameHeader, zones: Span<ZoneReading>) {
        Self.present(header: header, zones: zones, on: &bank)
    }

    /// Latches a frame in the registers of a depth sensor's `bank`.
    static func present(header: FrameHeader, zones: Span<ZoneReading>, on bank: inout EmulatedRegisterBank) {
        precondition(bank.registers[Int(DepthSensorRegisters.id)] == DepthSensorRegisters.idValue, "not a depth sensor")
        bank.latch { registers in DepthSensorRegisters.write(header: header, zones: zones, into: &registers) }
    }

    public mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        try bank.read(address: address, register: register, into: &bytes)
    }

    public mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        try bank.write(address: address, register: register, value: value)
    }
}
