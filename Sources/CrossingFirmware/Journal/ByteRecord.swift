import CrossingCore
import CrossingDevice

/// Builds a little-endian record in place.
struct RecordWriter<let capacity: Int> {
    var bytes = InlineArray<capacity, UInt8>(repeating: 0xFF)
    private(set) var count = 0

    mutating func put(_ value: some FixedWidthInteger) {
        for index in 0..<(value.bitWidth / 8) {
            precondition(count < capacity, "record capacity exceeded")
            bytes[count] = UInt8(truncatingIfNeeded: value >> (8 * index))
            count += 1
        }
    }

    /// A length byte, then the text.
    mutating func put(_ text: ShortText) {
        put(UInt8(text.count))
        for index in 0..<text.count { put(text[index]) }
    }

    /// `mutating` to be read in place (docs/embedded.md, "Stack").
    var crc: UInt32 {
        mutating get {
            var crc = CRC32()
            for index in 0..<count { crc.update(bytes[index]) }
            return crc.value
        }
    }
}

/// Why a record read from flash is not usable.
public enum RecordError: Error, Equatable {
    /// The sector holds no record (erased, or never written).
    case blank
    /// The record is cut short or fails its CRC at `offset`.
    case corrupt(offset: Int)
    /// The record is whole but a field is out of range.
    case invalid(ConfigError)
    case flash(FlashError)
}

/// Reads a little-endian record from flash, keeping a CRC of what it read.
struct RecordReader<Storage: Flash> {
    let flash: Storage
    private(set) var offset: Int
    let end: Int
    private(set) var crc = CRC32()

    init(flash: Storage, offset: Int, end: Int) {
        self.flash = flash
        self.offset = offset
        self.end = end
    }

    mutating func get<T: FixedWidthInteger>(_: T.Type) throws(RecordError) -> T {
        var value: T = 0
        for index in 0..<(T.bitWidth / 8) {
            guard offset < end else { throw .corrupt(offset: offset) }
            let byte: UInt8
            do throws(FlashError) {
                byte = try flash.read(offset: offset)
            } catch {
                throw .flash(error)
            }
            crc.update(byte)
            value |= T(byte) << (8 * index)
            offset += 1
        }
        return value
    }

    mutating func text() throws(RecordError) -> ShortText {
        let start = offset
        let count = Int(try get(UInt8.self))
        guard count <= ShortText.capacity else { throw .corrupt(offset: start) }
        var bytes = InlineArray<64, UInt8>(repeating: 0)
        for index in 0..<count { bytes[index] = try get(UInt8.self) }
        guard let text = ShortText(bytes.span.extracting(0..<count)) else { throw .corrupt(offset: start) }
        return text
    }
}
