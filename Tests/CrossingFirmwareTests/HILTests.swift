import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

@Suite("Hardware-in-the-loop rig")
struct HILTests {
    static func fixture(_ name: String) throws -> (frames: [UInt8], expected: [UInt8]) {
        let frames = try #require(FileManager.default.contents(atPath: "Hardware/fixtures/\(name).frames"))
        let expected = try #require(FileManager.default.contents(atPath: "Hardware/fixtures/\(name).expected"))
        return ([UInt8](frames), [UInt8](expected))
    }

    /// Sends `frames` to a serial device as the runner does, in chunks of seeded random sizes:
    /// the output, the messages refused, and whether `done` came.
    static func serial(_ frames: [UInt8], device: inout HILSerialDevice, seed: UInt64, corruptRecord: Int? = nil) -> (
        output: [UInt8], refused: Int, done: Bool
    ) {
        var wire = HILBuffer()
        let header = try! FrameFileHeader.decode(frames.span)
        HILMessage.encode(type: HILMessage.start, payload: Array(frames[0..<24]).span, to: &wire)
        var offset = 24
        var index = 0
        while offset < frames.count {
            let end = min(frames.count, offset + header.recordBytes)
            var message = HILBuffer()
            HILMessage.encode(type: HILMessage.record, payload: Array(frames[offset..<end]).span, to: &message)
            var bytes = message.bytes
            if index == corruptRecord { bytes[10] ^= 0x40 }
            wire.write(bytes.span)
            if index == corruptRecord {
                // The corrupt message is refused; the runner would send it again.
                HILMessage.encode(type: HILMessage.record, payload: Array(frames[offset..<end]).span, to: &wire)
            }
            offset = end
            index += 1
        }
        HILMessage.encode(type: HILMessage.end, payload: [UInt8]().span, to: &wire)
        var random = SplitMix64(seed: seed)
        var replies: [UInt8] = []
        var position = 0
        while position < wire.bytes.count {
            let size = Int(random.next() % 300) + 1
            let end = min(wire.bytes.count, position + size)
            replies += device.receive(Array(wire.bytes[position..<end]))
            position = end
        }
        var decoder = HILMessageDecoder()
        var output: [UInt8] = []
        var refused = 0
        var done = false
        for byte in replies {
            guard case .message(let type) = decoder.push(byte) else { continue }
            switch type {
            case HILMessage.output: decoder.withPayload { payload in for i in payload.indices { output.append(payload[i]) } }
            case HILMessage.refused: refused += 1
            case HILMessage.done: done = true
            default: break
            }
        }
        return (output, refused, done)
    }

    @Test("The Linux rig gives each fixture's expected output, byte for byte", arguments: ["sparse-walkers", "loop-tailgating"])
    func linuxMatchesFixture(name: String) throws {
        let fixture = try Self.fixture(name)
        let run = LinuxRig.run(frames: fixture.frames)
        #expect(run.ok)
        #expect(run.output == fixture.expected)
        let text = String(decoding: run.output, as: UTF8.self)
        #expect(text.contains("\ncrossings,"))
        #expect(text.hasSuffix("# hil end status=ok\n"))
    }

    @Test("The serial protocol gives the same bytes, whatever the chunking, and refuses a corrupt message without losing the run")
    func serialMatchesLinux() throws {
        let fixture = try Self.fixture("dense-two-way")
        var device = HILSerialDevice()
        for seed: UInt64 in 1...3 {
            let run = Self.serial(fixture.frames, device: &device, seed: seed)
            #expect(run.done)
            #expect(run.refused == 0)
            #expect(run.output == fixture.expected)
        }
        let garbled = Self.serial(fixture.frames, device: &device, seed: 9, corruptRecord: 500)
        #expect(garbled.refused == 1)
        #expect(garbled.output == fixture.expected)
        #expect(device.runsFinished == 4)
    }

    @Test("A cut-short recording ends every rig's output with the same line naming the byte offset, after the counts before it")
    func truncatedRecording() throws {
        let fixture = try Self.fixture("sparse-walkers")
        let cut = Array(fixture.frames.prefix(24 + 144 * 2000 + 100))
        let linux = LinuxRig.run(frames: cut)
        #expect(!linux.ok)
        let text = String(decoding: linux.output, as: UTF8.self)
        #expect(text.hasSuffix("# hil end status=error reason=truncated-record byte=\(24 + 144 * 2000)\n"))
        #expect(text.contains("# hil totals records=2000 frames=2000 "))
        var device = HILSerialDevice()
        let serial = Self.serial(cut, device: &device, seed: 4)
        #expect(serial.done)
        #expect(serial.output == linux.output)
        let garbage = LinuxRig.run(frames: [UInt8](repeating: 0x41, count: 40))
        #expect(String(decoding: garbage.output, as: UTF8.self) == "# hil end status=error reason=no-magic byte=0\n")
    }

    @Test("The message decoder skips line noise to the next sync byte and refuses a bad CRC")
    func decoderResynchronises() {
        var wire = HILBuffer()
        wire.write([0x00, 0x13, 0x37].span)
        HILMessage.encode(type: HILMessage.ack, payload: [UInt8]().span, to: &wire)
        var bad = HILBuffer()
        HILMessage.encode(type: HILMessage.output, payload: [UInt8](repeating: 7, count: 10).span, to: &bad)
        var badBytes = bad.bytes
        badBytes[6] ^= 1
        wire.write(badBytes.span)
        HILMessage.encode(type: HILMessage.done, payload: [UInt8]().span, to: &wire)
        var decoder = HILMessageDecoder()
        var events: [HILMessageDecoder.Event] = []
        for byte in wire.bytes { if let event = decoder.push(byte) { events.append(event) } }
        #expect(events == [.message(type: HILMessage.ack), .corrupt, .message(type: HILMessage.done)])
        #expect(decoder.skippedBytes == 3)
    }

    @Test("The fixture bus presents a frame as the sensor would: the driver reads it whole, and a frame never read is an overrun")
    func fixtureBus() {
        var bus = FixtureBus(address: 0x20, depth: true)
        var driver = DepthSensorDriver(address: 0x20)
        var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
        var frame = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 3000))
        frame[5] = ZoneReading(distanceMm: 0, status: .invalid)
        frame[6] = ZoneReading(distanceMm: 0, status: .saturated)
        #expect(driver.poll(&bus, zones: &zones) == nil)
        bus.present(lane: 0, header: FrameHeader(sequence: 7, timestampUs: 1234, side: 8), zones: frame.span)
        bus.present(lane: 0, header: FrameHeader(sequence: 8, timestampUs: 5678, side: 8), zones: frame.span)
        #expect(bus.overruns == 1)
        let header = driver.poll(&bus, zones: &zones)
        #expect(header == FrameHeader(sequence: 8, timestampUs: 5678, side: 8))
        #expect(zones[0] == ZoneReading(distanceMm: 3000))
        #expect(zones[5].status == .invalid && zones[6].status == .saturated)
        #expect(driver.health.overruns == 1)
        #expect(driver.poll(&bus, zones: &zones) == nil)
        var wrong = DepthSensorDriver(address: 0x21)
        #expect(wrong.poll(&bus, zones: &zones) == nil && wrong.health.busErrors == 1)
    }
}
