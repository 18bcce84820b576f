@testable import CrossingCollector
import CrossingSimulation
import Testing

@Suite("Totals table: open addressing against a Dictionary, and totals aging a few at a time")
struct TotalsTableTests {
    @Test("Adds, and sweeps taking out aged totals beside them through growth, hold what a Dictionary holds", arguments: [1, 2, 3] as [UInt64])
    func sweepsMatchDictionary(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var table = TotalsTable(salt: seed &* 0x9E37_79B9_7F4A_7C15)
        var model: [UInt64: Int64] = [:]
        // Keys as the totals pack them: a few series, intervals from `cutoff` on (an aged
        // interval's totals go to a coarser tier, never into this table).
        var cutoff: UInt64 = 0
        var sweep = TotalsTable.Sweep()
        var sweeping = false
        var passes = 0
        for _ in 0..<60_000 {
            if Double.random(in: 0..<1, using: &random) < 0.7 {
                let key = UInt64.random(in: 0..<8, using: &random) << 32 | (cutoff + UInt64.random(in: 0..<4000, using: &random))
                let amount = Int64.random(in: 1...9, using: &random)
                #expect(table.add(amount, to: key) == (model[key] == nil))
                model[key, default: 0] += amount
                continue
            }
            if !sweeping {
                // Intervals age: a sweep starts for everything before the new cutoff.
                cutoff += UInt64.random(in: 100...800, using: &random)
                sweep = TotalsTable.Sweep()
                sweeping = true
            }
            let limit = cutoff
            let through = table.sweep(&sweep, budget: Int.random(in: 1...40, using: &random), picks: { $0 & 0xFFFF_FFFF < limit }) { key, value in
                #expect(key & 0xFFFF_FFFF < limit)
                #expect(model.removeValue(forKey: key) == value, "a total taken once, with its value")
            }
            if through {
                sweeping = false
                passes += 1
                #expect(!table.contains { $0.key & 0xFFFF_FFFF < limit }, "one pass takes every aged total")
            }
        }
        #expect(passes > 10)
        #expect(table.count == model.count)
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == model)
        for (key, value) in model { #expect(table[key] == value) }
    }

    @Test("A table made with room for a count holds that many without growing")
    func capacity() {
        for capacity in [1, 11, 12, 700, 5000] {
            var table = TotalsTable(salt: 7, capacity: capacity)
            var sweep = TotalsTable.Sweep()
            _ = table.sweep(&sweep, budget: 1, picks: { _ in false }) { _, _ in }
            for key in 0..<UInt64(capacity) { table.add(1, to: key) }
            // A sweep begun before the adds would start over had the table grown.
            _ = table.sweep(&sweep, budget: 1, picks: { _ in false }) { _, _ in }
            #expect(sweep.slot == 1, "capacity \(capacity): no growth")
        }
    }

    @Test("Minutes that leap days past the horizon move a few per point, every sum right throughout")
    func agingIsPaced() {
        var totals = CrossingTotals()
        let startS: Int64 = 1_663_718_400
        func key(_ series: Int, _ minuteS: Int64) -> CrossingKey {
            CrossingKey(site: "s", device: "d\(series)", lane: "l", crossingClass: "car", direction: "outbound", minuteS: minuteS)
        }
        var expected: Int64 = 0
        // A day of 20 series' minutes.
        for minute in 0..<1440 {
            for series in 0..<20 {
                totals.add(1, to: key(series, startS + Int64(minute) * 60))
                expected += 1
            }
        }
        #expect(totals.count(at: .minute) == 1440 * 20)
        // Ten days on: the whole day is past the horizon, but the leap itself moves little.
        totals.add(1, to: key(0, startS + 10 * 86_400))
        expected += 1
        #expect(totals.count(at: .minute) > 1440 * 20 - 2 * CrossingTotals.agingSlotsPerPoint)
        #expect(totals.sum { _ in true } == expected)
        var points = 0
        while totals.count(at: .minute) > 1 {
            totals.add(1, to: key(1, startS + 10 * 86_400 + 60))
            expected += 1
            points += 1
            if points % 100 == 0 { #expect(totals.sum { _ in true } == expected) }
            if points > 2000 { break }
        }
        #expect(totals.count(at: .minute) == 2, "the day's minutes moved within \(points) points")
        #expect(totals.sum { _ in true } == expected)
        #expect(totals.count(at: .hour) == 24 * 20)
        #expect(totals.sum { $0.minuteS < startS + 86_400 } == 1440 * 20)
    }
}
