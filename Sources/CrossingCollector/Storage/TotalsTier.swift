/// One resolution's totals, in a table per span of their intervals: an hour of minutes, a
/// day of hours, and every day in one table.
///
/// Points arrive for the newest minutes, so the loop changes only the newest table or two.
/// When a page or a snapshot has taken a copy of the ledger, the loop then copies only those
/// tables (an hour of a fleet's minutes, not a week), and a span that ages to a coarser
/// resolution is swept out table by table.
struct TotalsTier: Sequence, Sendable {
    let resolution: CrossingTotals.Resolution
    /// The length of the intervals one table holds, s; nil for one table of all.
    let spanS: Int64?
    /// Tables by their span's number: its start / `spanS` (0 when one table holds all).
    private(set) var spans: [Int64: TotalsTable] = [:]
    private(set) var count = 0
    /// Tables made so far: each new table's salt comes from it, so that no two share a hash.
    private var tablesMade: UInt64 = 0

    init(_ resolution: CrossingTotals.Resolution) {
        self.resolution = resolution
        switch resolution {
        case .minute: spanS = 3600
        case .hour: spanS = 86_400
        case .day: spanS = nil
        }
    }

    /// The span a packed key's table holds.
    func span(of packed: UInt64) -> Int64 {
        spanS.map { CrossingTotals.timeS(packed, resolution).dividedFlooring(by: $0) } ?? 0
    }

    /// The start of `span`'s intervals and the start of the next span's, s.
    func bounds(of span: Int64) -> (startS: Int64, endS: Int64) {
        guard let spanS else { return (.min, .max) }
        return (span * spanS, span * spanS + spanS)
    }

    subscript(packed: UInt64) -> Int64? { spans[span(of: packed)]?[packed] }

    /// Adds `amount` to the total of `packed`, made when new.
    mutating func add(_ amount: Int64, to packed: UInt64) {
        let span = span(of: packed)
        if spans[span] == nil {
            tablesMade += 1
            // A fleet counts much the same from hour to hour: sized as the span before, the
            // table does not rehash its totals on the loop as its span fills.
            spans[span] = TotalsTable(salt: tablesMade &* 0xD6E8_FEB8_6659_FD93, capacity: spans[span - 1]?.count ?? 0)
        }
        if spans[span]!.add(amount, to: packed) { count += 1 }
    }

    /// Sweeps `span`'s table for `budget` slots, taking out the totals `picks`
    /// (`TotalsTable.sweep`); returns whether the sweep is through. A table left empty goes.
    mutating func sweep(
        span: Int64, _ sweep: inout TotalsTable.Sweep, budget: Int, picks: (_ packed: UInt64) -> Bool,
        take: (_ packed: UInt64, _ count: Int64) -> Void
    ) -> Bool {
        guard var table = spans.removeValue(forKey: span) else { return true }
        let before = table.count
        let through = table.sweep(&sweep, budget: budget, picks: picks, take: take)
        count -= before - table.count
        if table.count > 0 { spans[span] = table }
        return through || table.count == 0
    }

    func makeIterator() -> Iterator { Iterator(tables: spans.values.makeIterator()) }

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
