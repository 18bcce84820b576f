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
