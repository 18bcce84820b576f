/// The indices of the set bits of a mask, lowest first: the core keeps occupied zones, live
/// track slots and neighbours as masks, and walks them with this.
struct SetBits<Mask: FixedWidthInteger & UnsignedInteger>: Sequence, IteratorProtocol {
    private var remaining: Mask

    init(_ mask: Mask) {
        remaining = mask
    }

    mutating func next() -> Int? {
        if remaining == 0 { return nil }
        let index = remaining.trailingZeroBitCount
        remaining &= remaining &- 1
        return index
    }
}

/// Bit `index` (0...63) of a 64-bit mask. On a 32-bit core a 64-bit shift by a variable amount
/// is a call to a runtime helper; this is one 32-bit shift and a constant one.
@inline(__always)
func bit64(_ index: Int) -> UInt64 {
    index < 32 ? UInt64(UInt32(1) &<< UInt32(index)) : UInt64(UInt32(1) &<< UInt32(index &- 32)) &<< 32
}
