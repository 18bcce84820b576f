import CrossingCore

/// The compressed bodies `/write` takes, as clients such as Telegraf send them: `gzip`
/// (RFC 1952, one member or several) and `deflate` (HTTP's name for the zlib format, RFC 1950).
/// Each checks its own checksum, so a body damaged in flight is refused, not half stored.
public enum ContentEncoding: String, Sendable {
    case gzip
    case deflate

    /// `Content-Encoding`'s value read, case-insensitively; nil for one we do not decode.
    public init?(header: String) {
        switch header.lowercased() {
        case "gzip", "x-gzip": self = .gzip
        case "deflate": self = .deflate
        default: return nil
        }
    }

    /// The body decoded, at most `outputBytesMax` bytes of it.
    public func decode(_ body: [UInt8], outputBytesMax: Int) throws(InflateError) -> [UInt8] {
        var inflater = Inflater(body, from: 0, outputBytesMax: outputBytesMax)
        switch self {
        case .gzip:
            repeat { try Self.gzipMember(&inflater) } while inflater.position < body.count
        case .deflate:
            try Self.zlibStream(&inflater)
            guard inflater.position == body.count else { throw inflater.failure("bytes after the zlib stream") }
        }
        return inflater.output
    }

    /// One gzip member: its header, the DEFLATE stream, then the CRC-32 and length of what it held.
    static func gzipMember(_ inflater: inout Inflater) throws(InflateError) {
        let bytes = inflater.input
        func need(_ count: Int) throws(InflateError) {
            guard inflater.position + count <= bytes.count else { throw inflater.failure("gzip member cut short") }
        }
        try need(10)
        let start = inflater.position
        guard bytes[start] == 0x1F, bytes[start + 1] == 0x8B else { throw inflater.failure("not a gzip member (no 1f 8b)") }
        guard bytes[start + 2] == 8 else { throw inflater.failure("compression method \(bytes[start + 2]), not 8 (deflate)") }
        let flags = bytes[start + 3]
        guard flags & 0xE0 == 0 else { throw inflater.failure("reserved gzip flags set") }
        inflater.position += 10
        if flags & 0x04 != 0 {
            try need(2)
            let extraLength = Int(bytes[inflater.position]) | Int(bytes[inflater.position + 1]) << 8
            try need(2 + extraLength)
            inflater.position += 2 + extraLength
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {
            guard let end = bytes[inflater.position...].firstIndex(of: 0) else {
                throw inflater.failure("gzip file name or comment without its terminating zero")
            }
            inflater.position = end + 1
        }
        if flags & 0x02 != 0 {
            try need(2)
            inflater.position += 2
        }
        let outputStart = inflater.output.count
        try inflater.inflateStream()
        try need(8)
        let trailer = inflater.position
        var crc = WideCRC32()
        let member = inflater.output[outputStart...]
        crc.update(member.span)
        guard crc.value == littleEndian32(bytes, at: trailer) else { throw inflater.failure("gzip CRC-32 does not match the data") }
        guard UInt32(truncatingIfNeeded: inflater.output.count - outputStart) == littleEndian32(bytes, at: trailer + 4) else {
            throw inflater.failure("gzip length does not match the data")
        }
        inflater.position += 8
    }

    /// A zlib stream: a two-byte header, the DEFLATE stream, then the Adler-32 of what it held.
    static func zlibStream(_ inflater: inout Inflater) throws(InflateError) {
        let bytes = inflater.input
        guard bytes.count >= 2 else { throw inflater.failure("zlib header cut short") }
        guard bytes[0] & 0x0F == 8, bytes[0] >> 4 <= 7 else { throw inflater.failure("zlib method is not deflate with a 32 KiB window") }
        guard (Int(bytes[0]) << 8 | Int(bytes[1])) % 31 == 0 else { throw inflater.failure("zlib header check fails") }
        guard bytes[1] & 0x20 == 0 else { throw inflater.failure("zlib preset dictionary, which HTTP bodies do not use") }
        inflater.position = 2
        try inflater.inflateStream()
        guard inflater.position + 4 <= bytes.count else { throw inflater.failure("zlib Adler-32 cut short") }
        var a: UInt32 = 1
        var b: UInt32 = 0
        // 5552 bytes is the most that can be summed before the 32-bit sums must be reduced.
        for chunk in stride(from: 0, to: inflater.output.count, by: 5552) {
            for byte in inflater.output[chunk..<min(chunk + 5552, inflater.output.count)] {
                a += UInt32(byte)
                b += a
            }
            a %= 65521
            b %= 65521
        }
        let stored = UInt32(bytes[inflater.position]) << 24 | UInt32(bytes[inflater.position + 1]) << 16
            | UInt32(bytes[inflater.position + 2]) << 8 | UInt32(bytes[inflater.position + 3])
        guard b << 16 | a == stored else { throw inflater.failure("zlib Adler-32 does not match the data") }
        inflater.position += 4
    }

    static func littleEndian32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
    }
}
