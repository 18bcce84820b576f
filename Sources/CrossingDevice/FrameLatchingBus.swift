import CrossingCore

/// A sensor bus whose front ends a rig latches frames into, in place of the physical world:
/// the emulator's register maps, or a board's `FixtureBus` fed from recorded frames. Used only
/// through generics.
public protocol FrameLatchingBus: SensorBus {
    /// `lane`'s depth sensor latches a frame.
    mutating func present(lane: Int, header: FrameHeader, zones: Span<ZoneReading>)
    /// `lane`'s loop front end latches a scan.
    mutating func present(lane: Int, header: LoopFrameHeader, a: LoopReading, b: LoopReading)
}

/// The bus of a hardware-in-the-loop rig on a board: one front end, a depth sensor or a loop
/// front end, answering at one address, its registers in RAM and latched from recorded frames.
/// The driver reads it exactly as it reads the part, CRC and acknowledgement included.
public struct FixtureBus: FrameLatchingBus {
    public let address: UInt8
    private var registers = InlineArray<0x94, UInt8>(repeating: 0)
    private let frameBytes: Int
    /// Frames replaced before the driver acknowledged them.
    public private(set) var overruns = 0

    /// A depth sensor at `address` when `depth`, else a loop front end.
    public init(address: UInt8, depth: Bool) {
        self.address = address
        frameBytes = depth ? DepthSensorRegisters.frameBytes : LoopFrontEndRegisters.frameBytes
        registers[Int(LatchedFrameRegisters.id)] = depth ? DepthSensorRegisters.idValue : LoopFrontEndRegisters.idValue
        withImage { LatchedFrameRegisters.seal(&$0) }
    }

    public mutating func present(lane: Int, header: FrameHeader, zones: Span<ZoneReading>) {
        precondition(frameBytes == DepthSensorRegisters.frameBytes, "the fixture bus holds a loop front end")
        let overran = withImage { image in
            DepthSensorRegisters.write(header: header, zones: zones, into: &image)
            return LatchedFrameRegisters.latch(&image)
        }
        if overran { overruns += 1 }
    }

    public mutating func present(lane: Int, header: LoopFrameHeader, a: LoopReading, b: LoopReading) {
        precondition(frameBytes == LoopFrontEndRegisters.frameBytes, "the fixture bus holds a depth sensor")
        let overran = withImage { image in
            LoopFrontEndRegisters.write(header: header, a: a, b: b, into: &image)
            return LatchedFrameRegisters.latch(&image)
        }
        if overran { overruns += 1 }
    }

    public mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError) {
        guard address == self.address, Int(register) + bytes.count <= frameBytes else {
            throw .nack(address: address, register: register)
        }
        for index in 0..<bytes.count { bytes[index] = registers[Int(register) + index] }
    }

    public mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        guard address == self.address, register == LatchedFrameRegisters.status else {
            throw .nack(address: address, register: register)
        }
        registers[Int(register)] = value
        withImage { LatchedFrameRegisters.seal(&$0) }
    }

    /// The front end's registers, `frameBytes` of them.
    private mutating func withImage<R>(_ body: (inout MutableSpan<UInt8>) -> R) -> R {
        let count = frameBytes
        var whole = registers.mutableSpan
        var image = whole.extracting(0..<count)
        return body(&image)
    }
}
