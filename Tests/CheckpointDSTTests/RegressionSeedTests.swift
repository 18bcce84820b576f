import Foundation
import Testing

@testable import checkpoint_dst

/// The seeds on which `checkpoint-dst` found a failure, each run again as it failed: every
/// count a device made must reach the collector exactly once (docs/dst.md, "What it has found").
/// Each seed fails on the firmware before its fix.
@Suite("checkpoint-dst regression seeds")
struct RegressionSeedTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var seed: UInt64
        var durationS: Double
        var faults: [String]
        var found: String
        var testDescription: String { "seed \(seed), \(Int(durationS)) s, \(faults.joined(separator: ",")): \(found)" }
    }

    static let cases: [Case] = [
        Case(seed: 1, durationS: 600, faults: ["power"], found: "a cut lost an open bin whose counts the restored totals held"),
        Case(seed: 2, durationS: 600, faults: ["power"], found: "a bin logged after the last commit reached the collector, its counts missing from the totals"),
        Case(seed: 3, durationS: 600, faults: ["reset"], found: "a watchdog reset lost the open bin the restored totals held"),
        Case(seed: 4, durationS: 600, faults: ["power"], found: "a cut before the first commit restored no totals for the bins in the log"),
        Case(seed: 12, durationS: 1800, faults: ["partition", "loss", "delay"], found: "a merged record reused a number the collector had stored"),
        Case(seed: 5, durationS: 600, faults: ["replace"], found: "a replaced unit's records were dropped as resends of the old unit's"),
        Case(seed: 99, durationS: 600, faults: ["collector-power"], found: "a log synced without fdatasync loses acknowledged records to a power cut"),
    ]

    @Test("Every count reaches the collector exactly once", arguments: cases)
    func seedPasses(_ testCase: Case) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dst-test-\(getpid())-\(testCase.seed)-\(Int(testCase.durationS))").path
        let outcome = Simulation(
            seed: testCase.seed, devices: 3, durationS: testCase.durationS, faultKinds: Set(testCase.faults),
            directory: directory
        ).run()
        #expect(outcome.failure == nil, "\(outcome.faults)")
        #expect(outcome.frames > 0)
    }

    @Test("A seed replays byte for byte: the same digest twice, another seed another digest")
    func seedReplays() {
        func digest(_ seed: UInt64) -> UInt64 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dst-replay-\(getpid())-\(seed)-\(UUID())").path
            return Simulation(seed: seed, devices: 2, durationS: 300, faultKinds: Set(FaultPlan.kinds), directory: directory).run().digest
        }
        #expect(digest(11) == digest(11))
        #expect(digest(11) != digest(12))
    }
}
