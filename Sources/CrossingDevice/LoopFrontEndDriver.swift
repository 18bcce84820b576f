import CrossingCore

/// Reads scans from the loop front end's registers (see `LatchedFrameReader`). Every fault is
/// counted and none stops it.
public struct LoopFrontEndDriver {
    public private(set) var health = DriverHealth()
    private var reader: LatchedFrameReader<0x24>

    /// A driver for the front end at bus `address` that hands on only scans newer than
    /// `lastSequence`.
    public init(address: UInt8, lastSequence: UInt32? = nil) {
        reader = LatchedFrameReader(address: address, lastSequence: lastSequence)
    }

    /// Polls the front end once. Returns a scan not handed on before, or nil.
    public mutating func poll(_ bus: inout some SensorBus) -> (header: LoopFrameHeader, a: LoopReading, b: LoopReading)? {
        guard reader.poll(&bus, id: LoopFrontEndRegisters.idValue, health: &health) else { return nil }
        let loops = reader.raw[Int(LoopFrontEndRegisters.loops)]
        guard let statusA = Self.status(loops & 3), let statusB = Self.status((loops >> 2) & 3) else {
            health.badDevice &+= 1
            return nil
        }
        health.frames &+= 1
        let timeA = reader.word64(Int(LoopFrontEndRegisters.timeA))
        let a = LoopReading(
            shiftPpm: Int32(bitPattern: reader.word32(Int(LoopFrontEndRegisters.shiftA))), timestampUs: timeA, status: statusA)
        let b = LoopReading(
            shiftPpm: Int32(bitPattern: reader.word32(Int(LoopFrontEndRegisters.shiftB))),
            timestampUs: reader.word64(Int(LoopFrontEndRegisters.timeB)), status: statusB)
        return (LoopFrameHeader(sequence: reader.word32(Int(LoopFrontEndRegisters.sequence)), timestampUs: timeA), a, b)
    }

    private static func status(_ bits: UInt8) -> LoopStatus? {
        switch bits {
        case 0: .ok
        case 1: .open
        case 2: .shorted
        default: nil
        }
    }
}
