/// Up to 64 bytes of UTF-8 held in place: the names, tags and targets a device keeps without a
/// heap (device id, site, lane names, the export URL).
public struct ShortText: Equatable, Sendable {
    public static var capacity: Int { 64 }

    private var storage = InlineArray<64, UInt8>(repeating: 0)
    public private(set) var count = 0

    /// The empty text.
    public init() {}

    /// The bytes of `span`, or nil when there are more than `capacity`.
    public init?(_ span: Span<UInt8>) {
        guard span.count <= Self.capacity else { return nil }
        for index in span.indices { storage[index] = span[index] }
        count = span.count
    }

    /// The bytes of a static string, cut at `capacity`.
    public init(static text: StaticString) {
        text.withUTF8Buffer { bytes in
            count = min(bytes.count, Self.capacity)
            for index in 0..<count { storage[index] = bytes[index] }
        }
    }

    public var isEmpty: Bool { count == 0 }

    public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return storage[index]
    }

    /// Whether every peer reads the text back the same as a line-protocol tag value: not
    /// empty, no control byte (a newline would end the line), no backslash (InfluxDB 1.x keeps
    /// it doubled, VictoriaMetrics collapses it).
    public var isTagSafe: Bool {
        guard count > 0 else { return false }
        for index in 0..<count where storage[index] < 0x20 || storage[index] == 0x7F || storage[index] == 0x5C {
            return false
        }
        return true
    }

    /// Whether the text begins with the bytes of `prefix`.
    public func hasPrefix(_ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { bytes in
            guard bytes.count <= count else { return false }
            for index in 0..<bytes.count where bytes[index] != storage[index] { return false }
            return true
        }
    }

    /// Adds the bytes of the text to `crc`.
    public func update(_ crc: inout CRC32) {
        for index in 0..<count { crc.update(storage[index]) }
    }

    public static func == (lhs: ShortText, rhs: ShortText) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<lhs.count where lhs.storage[index] != rhs.storage[index] { return false }
        return true
    }
}
