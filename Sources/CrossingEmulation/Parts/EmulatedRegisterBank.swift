import CrossingCore
import CrossingDevice
import CrossingSimulation

/// The registers of a front end that latches frames (the layout `LatchedFrameReader` reads:
/// ID, STATUS, SEQUENCE, fields, CRC32 last) at one bus address, with bus faults at a chosen
/// rate: a transfer not acknowledged, garbage bytes in a read, or an acknowledgement that does
/// not clear data-ready (a stuck flag). A transfer to another address is not acknowledged.
public struct EmulatedRegisterBank: SensorBus {
    /// Faults injected so far, by kind.
    public struct Injected: Equatable, Sendable {
        public var readNacks = 0
        public var writeNacks = 0
        /// Garbled reads of a whole frame, which its CRC shows.
        public var garbageReads = 0
        /// Garbled short reads (STATUS polls), which nothing can show.
        public var garbageShortReads = 0
        public var stuckReady = 0

        public init() {}
    }

    public let address: UInt8
    public private(set) var registers: [UInt8]
    public private(set) var injected = Injected()
    /// Frames latched, and frames replaced before they were acknowledged.
    public private(set) var framesLatched = 0
    public private(set) var overruns = 0
    private let faultRate: Double
    private var random: SplitMix64

    /// A bank of `frameBytes` registers at bus `address` reading `id` at 0x00, whose transfers
    /// fail at `faultRate` (0...1), drawn from `random`.
    public init(address: UInt8, id: UInt8, frameBytes: Int, faultRate: Double, random: SplitMix64) {
        precondition(faultRate >= 0 && faultRate <= 1)
        self.address = address
        registers = [UInt8](repeating: 0, count: frameBytes)
        registers[Int(LatchedFrameRegisters.id)] = id
        self.faultRate = faultRate
        self.random = random
        updateCRC()
    }

    /// Latches a frame: `fields` writes its registers, then data-ready is set (with overrun if
    /// the last frame was not acknowledged) and the CRC updated.
    public mutating func latch(_ fields: (inout MutableSpan<UInt8>) -> Void) {
        var image = registers.mutableSpan
        fields(&image)
        if LatchedFrameRegisters.latch(&image) { overruns += 1 }
        framesLatched += 1
    }

    public mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        guard address == self.address else { throw .nack(address: address, register: register) }
        let fault = roll()
        if fault == 1 {
            injected.readNacks += 1
            throw .nack(address: address, register: register)
        }
        for index in 0..<bytes.count {
            let address = Int(register) + index
            bytes[index] = address < registers.count ? registers[address] : 0
        }
        if fault == 2 && bytes.count > 0 {
            if bytes.count > 4 { injected.garbageReads += 1 } else { injected.garbageShortReads += 1 }
            let index = Int(random.next() % UInt64(bytes.count))
            bytes[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
        }
    }

    public mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        guard address == self.address else { throw .nack(address: address, register: register) }
        let fault = roll()
        if fault == 1 {
            injected.writeNacks += 1
            throw .nack(address: address, register: register)
        }
        guard register == LatchedFrameRegisters.status else { return }
        if fault == 2 {
            injected.stuckReady += 1
            return
        }
        registers[Int(register)] = value
        updateCRC()
    }

    /// 0 for a clean transfer, 1 for a NACK, 2 for the other fault of the transfer's kind.
    private mutating func roll() -> Int {
        guard faultRate > 0, Double(random.next() >> 11) * 0x1p-53 < faultRate else { return 0 }
        return random.next() & 1 == 0 ? 1 : 2
    }

    private mutating func updateCRC() {
        var image = registers.mutableSpan
        LatchedFrameRegisters.seal(&image)
    }
}
