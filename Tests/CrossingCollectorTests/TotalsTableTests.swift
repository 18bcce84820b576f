@testable import CrossingCollector
import CrossingSimulation
import Testing

@Suite("Totals table: open addressing against a Dictionary")
struct TotalsTableTests {
    @Test("Random adds and removals, through growth and shrinking, hold what a Dictionary holds", arguments: [1, 2, 3] as [UInt64])
    func matchesDictionary(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var table = TotalsTable(salt: seed &* 0x9E37_79B9_7F4A_7C15)
        var model: [UInt64: Int64] = [:]
        // Keys as the totals pack them: a few series, intervals in runs.
        func key() -> UInt64 { UInt64.random(in: 0..<8, using: &random) << 32 | UInt64.random(in: 0..<5000, using: &random) }
        for round in 0..<60_000 {
            // Grow for a while, then mostly remove, so the table doubles and halves.
            let removing = (round / 15_000) % 2 == 1 ? 0.8 : 0.2
            if Double.random(in: 0..<1, using: &random) < removing {
                let victim = model.keys.randomElement(using: &random) ?? key()
                let removed = table.removeValue(forKey: victim)
                #expect(removed == model.removeValue(forKey: victim))
            } else {
                let added = key()
                let amount = Int64.random(in: 1...9, using: &random)
                let new = table.add(amount, to: added)
                #expect(new == (model[added] == nil))
                model[added, default: 0] += amount
            }
        }
        #expect(table.count == model.count)
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == model)
        for (key, value) in model { #expect(table[key] == value) }
    }
}
