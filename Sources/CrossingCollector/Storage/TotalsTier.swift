/// One resolution's totals, in a table per day of their intervals (the day resolution's in
/// one table).
///
/// Points arrive for the newest minutes, so the loop changes only the newest day's table or
/// two: when a page has taken a copy of the ledger, the loop then copies only those tables, not
/// a week of minutes; and a day that rolls up to a coarser resolution leaves as one table.
struct TotalsTier: Sequence, Sendable {
    let resolution: CrossingTotals.Resolution
    /// Tables by the day their intervals start in (by 0 at the day resolution).
    private(set) var days: [Int64: TotalsTable] = [:]
    private(set) var count = 0
    /// Tables made so far: each new table's salt comes from it, so that no two share a hash.
    private var tablesMade: UInt64 = 0

    init(_ resolution: CrossingTotals.Resolution) {
        self.resolution = resolution
    }

    /// The table a packed key belongs in.
    func day(of packed: UInt64) -> Int64 {
        resolution == .day ? 0 : CrossingTotals.timeS(packed, resolution).dividedFlooring(by: 86_400)
    }

    subscript(packed: UInt64) -> Int64? { days[day(of: packed)]?[packed] }

    /// Adds `amount` to the total of `packed`, made when new.
    mutating func add(_ amount: Int64, to packed: UInt64) {
        let day = day(of: packed)
        if days[day] == nil {
            tablesMade += 1
            days[day] = TotalsTable(salt: tablesMade &* 0xD6E8_FEB8_6659_FD93)
        }
        if days[day]!.add(amount, to: packed) { count += 1 }
    }

    /// Takes out the total of `packed`.
    mutating func removeValue(forKey packed: UInt64) -> Int64? {
        let day = day(of: packed)
        guard let removed = days[day]?.removeValue(forKey: packed) else { return nil }
        count -= 1
        if days[day]?.count == 0 { days[day] = nil }
        return removed
    }

    /// Takes out the table of `day`, if any.
    mutating func removeDay(_ day: Int64) -> TotalsTable? {
        guard let table = days.removeValue(forKey: day) else { return nil }
        count -= table.count
        return table
    }

    func makeIterator() -> Iterator { Iterator(tables: days.values.makeIterator()) }

    /// Every total, table by table: `(key, value)` pairs.
    struct Iterator: IteratorProtocol {
        var tables: Dictionary<Int64, TotalsTable>.Values.Iterator
        var inner: TotalsTable.Iterator?

        mutating func next() -> (key: UInt64, value: Int64)? {
            while true {
                if let entry = inner?.next() { return entry }
                guard let table = tables.next() else { return nil }
                inner = table.makeIterator()
            }
        }
    }
}
