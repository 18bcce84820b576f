/// Totals by packed key (series and interval) in one open-addressing table of two flat arrays.
///
/// A `Dictionary` would do the same work per point, but copying one copies its entries one by
/// one, and the ledger is copied whenever a page or a compaction reads it beside the loop:
/// the loop's next change then pays for the copy. Here a copy is two `memcpy`s, a few
/// milliseconds for millions of totals, so a report never holds up an ack.
///
/// Linear probing from a Fibonacci hash of the key, at most 70 % full. Totals leave only by a
/// sweep (`sweep`), whose removals shift the entries after them back (no tombstones), so
/// lookups never slow down as totals roll up. Each table salts its hash: one table's totals
/// are often added to another in slot order (a span rolling up), and with one hash for all,
/// they would arrive in the order of their home slots there too and pile up into one run, at
/// quadratic cost.
struct TotalsTable: Sequence, Sendable {
    /// The key of an empty slot: no total has it (it would be series 2^32 - 1's last interval).
    static let empty = UInt64.max

    /// Mixed into every key before it is hashed.
    private let salt: UInt64
    private var keys: [UInt64] = []
    private var values: [Int64] = []
    /// log2 of the slots, 0 while there are none.
    private var bits = 0
    private(set) var count = 0

    /// A table with room for `capacity` totals before it grows: a span's table made as large
    /// as the span before it ended never rehashes on the loop as its span fills.
    init(salt: UInt64, capacity: Int = 0) {
        self.salt = salt
        if capacity > 0 { resize(bits: Swift.max(4, Int.bitWidth - (capacity * 10 / 7).leadingZeroBitCount)) }
    }

    subscript(key: UInt64) -> Int64? {
        guard let slot = find(key) else { return nil }
        return values[slot]
    }

    /// Adds `amount` to the total of `key`, made at 0 when new; returns whether it was new.
    @discardableResult
    mutating func add(_ amount: Int64, to key: UInt64) -> Bool {
        precondition(key != Self.empty, "a packed key equal to the empty slot's")
        if (count + 1) * 10 > keys.count * 7 { grow() }
        let mask = keys.count - 1
        var slot = home(key)
        while keys[slot] != Self.empty {
            if keys[slot] == key {
                values[slot] &+= amount
                return false
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = amount
        count += 1
        return true
    }

    /// Where a sweep through the slots is: the next slot to look at, of how many.
    struct Sweep: Equatable, Sendable {
        var slot = 0
        var slots = 0
    }

    /// Takes out the totals whose key `picks` (their intervals aged), looking at the slots in
    /// order from `sweep` on until `budget` slots have been looked at, handing each to `take`;
    /// returns whether the sweep has been through every slot.
    ///
    /// For a table leaving its tier a little at a time, beside points still being added: a
    /// removal moves only later entries back into the hole at the sweep, so one pass from
    /// slot 0 sees every total there was, and a total added behind the sweep is one `picks`
    /// would keep. If the table grew since the last call, the sweep starts over.
    mutating func sweep(
        _ sweep: inout Sweep, budget: Int, picks: (_ key: UInt64) -> Bool, take: (_ key: UInt64, _ value: Int64) -> Void
    ) -> Bool {
        if sweep.slots != keys.count { sweep = Sweep(slots: keys.count) }
        var looked = 0
        while looked < budget && sweep.slot < keys.count && count > 0 {
            looked += 1
            let key = keys[sweep.slot]
            if key != Self.empty && picks(key) {
                take(key, remove(at: sweep.slot))
            } else {
                sweep.slot += 1
            }
        }
        return sweep.slot == keys.count || count == 0
    }

    /// Empties `slot`, shifting the entries after it back (no tombstones); returns its total.
    private mutating func remove(at slot: Int) -> Int64 {
        var hole = slot
        let removed = values[hole]
        let mask = keys.count - 1
        var next = (hole + 1) & mask
        while keys[next] != Self.empty {
            // An entry moves back into the hole unless its home lies between the hole and it.
            if (next - home(keys[next])) & mask >= (next - hole) & mask {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = Self.empty
        count -= 1
        return removed
    }

    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: ((key ^ salt) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    private func find(_ key: UInt64) -> Int? {
        guard count > 0 else { return nil }
        let mask = keys.count - 1
        var slot = home(key)
        while keys[slot] != Self.empty {
            if keys[slot] == key { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func grow() { resize(bits: Swift.max(4, bits + 1)) }

    private mutating func resize(bits newBits: Int) {
        let (oldKeys, oldValues) = (keys, values)
        bits = newBits
        keys = [UInt64](repeating: Self.empty, count: 1 << bits)
        values = [Int64](repeating: 0, count: 1 << bits)
        count = 0
        for slot in oldKeys.indices where oldKeys[slot] != Self.empty { add(oldValues[slot], to: oldKeys[slot]) }
    }

    func makeIterator() -> Iterator { Iterator(table: self) }

    /// The totals in slot order: `(key, value)` pairs.
    struct Iterator: IteratorProtocol {
        let table: TotalsTable
        var slot = 0

        mutating func next() -> (key: UInt64, value: Int64)? {
            while slot < table.keys.count {
                defer { slot += 1 }
                if table.keys[slot] != TotalsTable.empty { return (table.keys[slot], table.values[slot]) }
            }
            return nil
        }
    }
}
