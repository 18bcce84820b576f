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

    public var isEmpty: Bool { count == 0 }

    public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return storage[index]
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
