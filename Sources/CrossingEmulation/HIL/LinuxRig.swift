import CrossingCore
import CrossingDevice
import CrossingFirmware
import CrossingSimulation

/// HIL output gathered in memory.
public struct HILBuffer: HILOutput {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ bytes: Span<UInt8>) {
        for index in bytes.indices { self.bytes.append(bytes[index]) }
    }
}

/// The Linux rig of the HIL fixtures: `HILSession` on the emulator's parts, the board's flash
/// part and the lane's sensor as an emulated register map.
public enum LinuxRig {
    public typealias Session<Out: HILOutput> = HILSession<EmulatedFlash, EmulatedSensorBus, Out>

    /// A session for the recording `header` describes, writing to `output`.
    public static func session<Out: HILOutput>(header: FrameFileHeader, output: Out) throws(HILError) -> Session<Out> {
        let random = SplitMix64(seed: 1)
        let bank: EmulatedRegisterBank
        switch header.sensor {
        case .depth: bank = EmulatedDepthSensor(address: FrameFileHeader.laneAddress, random: random).bank
        case .loops: bank = EmulatedLoopFrontEnd(address: FrameFileHeader.laneAddress, random: random).bank
        }
        return try Session(header: header, flash: EmulatedBoard.blankFlash(), bus: EmulatedSensorBus(banks: [bank]), output: output)
    }

    /// Runs a whole frame file: the output, and whether the run ended well. A bad header or
    /// record ends the output with a line naming it, as on every rig.
    public static func run(frames bytes: [UInt8]) -> (output: [UInt8], ok: Bool) {
        let header: FrameFileHeader
        do throws(FrameFileFault) {
            header = try FrameFileHeader.decode(bytes.span)
        } catch {
            var output = HILBuffer()
            Session<HILBuffer>.writeEnd(.frames(error), to: &output)
            return (output.bytes, false)
        }
        var session: Session<HILBuffer>
        do throws(HILError) {
            session = try Self.session(header: header, output: HILBuffer())
        } catch {
            var output = HILBuffer()
            Session<HILBuffer>.writeEnd(error, to: &output)
            return (output.bytes, false)
        }
        var offset = FrameFileHeader.bytes
        var failure: HILError?
        while offset < bytes.count {
            let end = min(bytes.count, offset + header.recordBytes)
            do throws(HILError) {
                try session.run(record: bytes.span.extracting(offset..<end))
            } catch {
                failure = error
                break
            }
            offset = end
        }
        session.finish(error: failure)
        let output = session.device.link.output.bytes
        let good = Array("# hil end status=ok\n".utf8)
        return (output, Array(output.suffix(good.count)) == good)
    }
}
