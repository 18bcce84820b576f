/// The decimal text of an integer, made without the heap: for line protocol, HTTP heads and
/// acks.
public struct DecimalText {
    private var digits = InlineArray<20, UInt8>(repeating: 0)
    /// Characters, a leading '-' included.
    public private(set) var count = 0

    public init(_ value: Int64) {
        var magnitude = value.magnitude
        var reversed = InlineArray<20, UInt8>(repeating: 0)
        var length = 0
        repeat {
            reversed[length] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
            length += 1
            magnitude /= 10
        } while magnitude > 0
        if value < 0 {
            digits[0] = 0x2D
            count = 1
        }
        for index in stride(from: length - 1, through: 0, by: -1) {
            digits[count] = reversed[index]
            count += 1
        }
    }

    /// The character at `index`, the most significant first.
    public subscript(index: Int) -> UInt8 { digits[index] }
}
