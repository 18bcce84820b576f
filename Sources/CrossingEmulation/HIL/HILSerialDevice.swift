import CrossingCore
import CrossingFirmware

/// The device end of the HIL serial protocol (Hardware/hil-protocol.md) on the Linux rig: the
/// emulator behind a pseudo-terminal answers a HIL runner exactly as a board port on a UART
/// would. Transport-free: bytes from the host go in, bytes for the host come out.
public struct HILSerialDevice {
    /// Output held back until a message's worth has gathered, then framed.
    struct Framer: HILOutput {
        var pending: [UInt8] = []
        var framed: [UInt8] = []

        mutating func write(_ bytes: Span<UInt8>) {
            for index in bytes.indices {
                pending.append(bytes[index])
                if pending.count == HILMessage.payloadBytesMax { flush() }
            }
        }

        mutating func flush() {
            guard !pending.isEmpty else { return }
            var wire = HILBuffer()
            HILMessage.encode(type: HILMessage.output, payload: pending.span, to: &wire)
            framed += wire.bytes
            pending.removeAll(keepingCapacity: true)
        }
    }

    private var decoder = HILMessageDecoder()
    private var session: LinuxRig.Session<Framer>?
    /// Runs that reached their end line.
    public private(set) var runsFinished = 0
    /// Messages refused: corrupt, out of order, or of no known type.
    public private(set) var refused = 0

    public init() {}

    /// Takes bytes from the host; returns the bytes to send back.
    public mutating func receive(_ bytes: [UInt8]) -> [UInt8] {
        var reply = HILBuffer()
        for byte in bytes {
            switch decoder.push(byte) {
            case nil: continue
            case .corrupt: refuse("message length or CRC does not match", to: &reply)
            case .message(let type): handle(type, reply: &reply)
            }
        }
        return reply.bytes
    }

    private mutating func handle(_ type: UInt8, reply: inout HILBuffer) {
        switch type {
        case HILMessage.start:
            session = nil
            let header: FrameFileHeader
            do throws(FrameFileFault) {
                header = try decoder.withPayload { (payload: Span<UInt8>) throws(FrameFileFault) -> FrameFileHeader in
                    try FrameFileHeader.decode(payload)
                }
            } catch {
                var framer = Framer()
                LinuxRig.Session<Framer>.writeEnd(.frames(error), to: &framer)
                return end(framer, reply: &reply)
            }
            do throws(HILError) {
                session = try LinuxRig.session(header: header, output: Framer())
                send(HILMessage.ack, to: &reply)
            } catch {
                var framer = Framer()
                LinuxRig.Session<Framer>.writeEnd(error, to: &framer)
                end(framer, reply: &reply)
            }
        case HILMessage.record:
            guard session != nil else { return refuse("a record before a start", to: &reply) }
            do throws(HILError) {
                try decoder.withPayload { (payload: Span<UInt8>) throws(HILError) in try session!.run(record: payload) }
                session!.withOutput { framer in
                    reply.write(framer.framed.span)
                    framer.framed.removeAll(keepingCapacity: true)
                }
                send(HILMessage.ack, to: &reply)
            } catch {
                finish(error: error, reply: &reply)
            }
        case HILMessage.end:
            guard session != nil else { return refuse("an end before a start", to: &reply) }
            finish(error: nil, reply: &reply)
        default:
            refuse("unknown message type", to: &reply)
        }
    }

    private mutating func finish(error: HILError?, reply: inout HILBuffer) {
        session!.finish(error: error)
        let framer = session!.withOutput { $0 }
        session = nil
        end(framer, reply: &reply)
    }

    /// Sends the run's last output, then `done`.
    private mutating func end(_ framer: Framer, reply: inout HILBuffer) {
        var framer = framer
        framer.flush()
        reply.write(framer.framed.span)
        send(HILMessage.done, to: &reply)
        runsFinished += 1
    }

    private mutating func refuse(_ reason: StaticString, to reply: inout HILBuffer) {
        refused += 1
        let text = reason.withUTF8Buffer { [UInt8]($0) }
        HILMessage.encode(type: HILMessage.refused, payload: text.span, to: &reply)
    }

    private func send(_ type: UInt8, to reply: inout HILBuffer) {
        let empty: [UInt8] = []
        HILMessage.encode(type: type, payload: empty.span, to: &reply)
    }
}
