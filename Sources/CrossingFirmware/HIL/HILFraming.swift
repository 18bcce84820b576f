import CrossingCore

/// The framing of the HIL serial protocol (Hardware/hil-protocol.md): `0xA5`, a type byte, a
/// little-endian 16-bit payload length, the payload, and a CRC32 of type, length and payload.
/// A board port and the emulator's pseudo-terminal speak it through these two types, and so
/// does the host's runner.
public enum HILMessage {
    public static var sync: UInt8 { 0xA5 }
    public static var payloadBytesMax: Int { 512 }
    /// Sync, type, length, CRC.
    public static var overheadBytes: Int { 8 }

    /// Host to device: the frame file's header; one record; the end of the frames.
    public static var start: UInt8 { 0x53 }  // S
    public static var record: UInt8 { 0x52 }  // R
    public static var end: UInt8 { 0x45 }  // E
    /// Device to host: a message handled; output bytes; the output is complete; a message
    /// refused (its payload says why).
    public static var ack: UInt8 { 0x4B }  // K
    public static var output: UInt8 { 0x4F }  // O
    public static var done: UInt8 { 0x44 }  // D
    public static var refused: UInt8 { 0x58 }  // X

    /// Frames `payload` as a message of `type` and hands the bytes to `write`, in at most
    /// three calls.
    public static func encode(type: UInt8, payload: Span<UInt8>, to output: inout some HILOutput) {
        precondition(payload.count <= payloadBytesMax)
        var head = InlineArray<4, UInt8>(repeating: 0)
        head[0] = sync
        head[1] = type
        head[2] = UInt8(truncatingIfNeeded: payload.count)
        head[3] = UInt8(truncatingIfNeeded: payload.count >> 8)
        var crc = CRC32()
        crc.update(head.span.extracting(1..<4))
        crc.update(payload)
        output.write(head.span)
        output.write(payload)
        var tail = InlineArray<4, UInt8>(repeating: 0)
        var span = tail.mutableSpan
        span.storeLittleEndian(crc.value, at: 0)
        output.write(tail.span)
    }
}

/// Reads HIL messages from a byte stream, one byte at a time. Bytes before a sync byte are
/// skipped (and counted), so a reader that starts mid-stream finds the next message; a message
/// whose CRC fails is reported, not delivered.
public struct HILMessageDecoder {
    public enum Event: Equatable {
        /// A whole message: its type; `withPayload` reads its payload.
        case message(type: UInt8)
        /// A message whose length is over the limit or whose CRC does not match.
        case corrupt
    }

    /// Type, length, payload and CRC of the message being read; the sync byte is not kept.
    private var buffer = InlineArray<519, UInt8>(repeating: 0)
    private var count = 0
    private var synced = false
    /// Bytes skipped looking for a sync byte.
    public private(set) var skippedBytes = 0

    public init() {}

    /// Calls `body` with the payload of the message last reported.
    public func withPayload<R, E: Error>(_ body: (Span<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(buffer.span.extracting(3..<(3 + length)))
    }

    private var length: Int { Int(buffer[1]) | Int(buffer[2]) << 8 }

    /// Takes one byte; returns an event when it completes a message.
    public mutating func push(_ byte: UInt8) -> Event? {
        guard synced else {
            if byte == HILMessage.sync { synced = true } else { skippedBytes &+= 1 }
            return nil
        }
        buffer[count] = byte
        count += 1
        guard count >= 3 else { return nil }
        guard length <= HILMessage.payloadBytesMax else {
            reset()
            return .corrupt
        }
        let crcOffset = 3 + length
        guard count == crcOffset + 4 else { return nil }
        reset()
        guard buffer.span.crc32(0..<crcOffset) == buffer.span.loadLittleEndian(at: crcOffset, as: UInt32.self) else {
            return .corrupt
        }
        return .message(type: buffer[0])
    }

    private mutating func reset() {
        count = 0
        synced = false
    }
}
