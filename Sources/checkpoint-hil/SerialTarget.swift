import CheckpointCLI
import CrossingCore
import CrossingEmulation
import CrossingFirmware
import Foundation

/// A device on a serial port (or the emulator on a pseudo-terminal) speaking the HIL protocol
/// (Hardware/hil-protocol.md): stop-and-wait, one message in flight, every message acked.
struct SerialTarget: Target {
    let device: String
    let timeoutS: Double
    var name: String { "serial:\(device)" }

    func run(frames: [UInt8]) -> TargetRun {
        let fd = open(device, O_RDWR | O_NOCTTY)
        guard fd >= 0 else { return TargetRun(output: [], failure: "\(device): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var settings = termios()
        if tcgetattr(fd, &settings) == 0 {
            cfmakeraw(&settings)
            cfsetispeed(&settings, speed_t(B115200))
            cfsetospeed(&settings, speed_t(B115200))
            tcsetattr(fd, TCSANOW, &settings)
        }
        tcflush(fd, TCIOFLUSH)
        var link = SerialLink(fd: fd, timeoutS: timeoutS)
        guard frames.count >= FrameFileHeader.bytes else {
            // The device must see what the other rigs see: a header cut short.
            return link.exchange(type: HILMessage.start, payload: frames, expectDone: true)
        }
        let recordBytes = (try? FrameFileHeader.decode(frames.span))?.recordBytes ?? frames.count
        var result = link.exchange(type: HILMessage.start, payload: Array(frames[0..<FrameFileHeader.bytes]))
        var offset = FrameFileHeader.bytes
        while result.failure == nil && !link.done && offset < frames.count {
            let end = min(frames.count, offset + recordBytes)
            result = link.exchange(type: HILMessage.record, payload: Array(frames[offset..<end]))
            offset = end
        }
        if result.failure == nil && !link.done { result = link.exchange(type: HILMessage.end, payload: [], expectDone: true) }
        result.output = link.output
        return result
    }
}

/// One conversation with a HIL device over a file descriptor.
struct SerialLink {
    let fd: CInt
    let timeoutS: Double
    var decoder = HILMessageDecoder()
    var output: [UInt8] = []
    /// The device said the run is over.
    var done = false

    init(fd: CInt, timeoutS: Double) {
        self.fd = fd
        self.timeoutS = timeoutS
    }

    /// Sends one message and reads until it is acked, or until `done` if `expectDone`.
    mutating func exchange(type: UInt8, payload: [UInt8], expectDone: Bool = false) -> TargetRun {
        var wire = HILBuffer()
        HILMessage.encode(type: type, payload: payload.span, to: &wire)
        var sent = 0
        while sent < wire.bytes.count {
            let wrote = wire.bytes[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { return failed("write: \(String(cString: strerror(errno)))") }
            sent += wrote
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeoutS)
        while true {
            guard Date() < deadline else { return failed("no answer within \(Int(timeoutS)) s") }
            guard !interruptRequested.load(ordering: .relaxed) else { return failed("interrupted") }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) > 0 else { continue }
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard count > 0 else { return failed("read: the device closed the line") }
            for byte in buffer[0..<count] {
                switch decoder.push(byte) {
                case nil: continue
                case .corrupt: return failed("a message from the device failed its CRC")
                case .message(let kind):
                    switch kind {
                    case HILMessage.output: decoder.withPayload { payload in for index in payload.indices { output.append(payload[index]) } }
                    case HILMessage.done:
                        done = true
                        return TargetRun(output: output)
                    case HILMessage.ack where !expectDone: return TargetRun(output: output)
                    case HILMessage.refused:
                        let reason = decoder.withPayload { payload in String(decoding: (0..<payload.count).map { payload[$0] }, as: UTF8.self) }
                        return failed("the device refused a message: \(reason)")
                    default: return failed("an unexpected message of type \(kind) from the device")
                    }
                }
            }
        }
    }

    private func failed(_ reason: String) -> TargetRun {
        TargetRun(output: output, failure: reason)
    }
}

