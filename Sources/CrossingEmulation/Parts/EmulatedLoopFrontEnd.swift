import CrossingCore
import CrossingDevice
import CrossingSimulation

/// The loop-detector front end as its register map (`LoopFrontEndRegisters`), fed scan by
/// scan by the host, with bus faults at a chosen rate (see `EmulatedRegisterBank`).
public struct EmulatedLoopFrontEnd: SensorBus {
    public private(set) var bank: EmulatedRegisterBank

    /// A front end at bus `address` whose transfers fail at `faultRate` (0...1), drawn from `random`.
    public init(address: UInt8, faultRate: Double = 0, random: SplitMix64) {
        bank = EmulatedRegisterBank(
            address: address, id: LoopFrontEndRegisters.idValue, frameBytes: LoopFrontEndRegisters.frameBytes, faultRate: faultRate,
            random: random)
    }

    public var injected: EmulatedRegisterBank.Injected { bank.injected }
    public var scansPresented: Int { bank.framesLatched }

    /// Latches a scan of both loops.
    public mutating func present(header: LoopFrameHeader, a: LoopReading, b: LoopReading) {
        Self.present(header: header, a: a, b: b, on: &bank)
    }

    /// Latches a scan in the registers of a loop front end's `bank`.
    static func present(header: LoopFrameHeader, a: LoopReading, b: LoopReading, on bank: inout EmulatedRegisterBank) {
        precondition(bank.registers[Int(LoopFrontEndRegisters.id)] == LoopFrontEndRegisters.idValue, "not a loop front end")
        bank.latch { registers in LoopFrontEndRegisters.write(header: header, a: a, b: b, into: &registers) }
    }

    public mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        try bank.read(address: address, register: register, into: &bytes)
    }

    public mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        try bank.write(address: address, register: register, value: value)
    }
}
