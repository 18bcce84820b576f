import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingSimulation
import Foundation
import Testing

@Suite("Loop front end driver")
struct LoopFrontEndDriverTests {
    static let scenario = """
        {"name": "loop driver", "site": "test", "duration_s": 600, "lanes": [{
          "name": "road", "kind": "road", "width_m": 3.5, "length_m": 80,
          "loops": {"length_m": 1.5, "spacing_m": 4.0, "sample_rate_hz": 200, "noise_ppm": 3,
                    "failure": {"loop": "b", "at_s": 500, "mode": "open"}},
          "traffic": [{"class": "car", "direction": "outbound", "per_hour": 300, "speed_mps": {"min": 8, "max": 16}}]
        }]}
        """

    struct Outcome {
        var run = DriverRun()
        /// Loop B's faults at the end: the scenario opens its circuit.
        var faultB = LoopFault()
    }

    /// Scans of the scenario through the emulated front end, the driver and a loop pair,
    /// polling twice per scan period.
    static func run(faultRate: Double, seed: UInt64) throws -> Outcome {
        let scenario = try Scenario.parse(data: Data(Self.scenario.utf8))
        var samples = LoopSamples(scenario: scenario, laneIndex: 0, seed: 2, durationS: 600)
        var frontEnd = EmulatedLoopFrontEnd(address: 0x30, faultRate: faultRate, random: SplitMix64(seed: seed))
        var driver = LoopFrontEndDriver(address: 0x30)
        var detector = try LoopPairDetector(config: scenario.lanes[0].loopConfig)
        var outcome = Outcome()
        while let scan = samples.next() {
            frontEnd.present(header: scan.header, a: scan.a, b: scan.b)
            for _ in 0..<2 {
                guard let got = driver.poll(&frontEnd) else { continue }
                do {
                    try detector.process(header: got.header, a: got.a, b: got.b)
                } catch {
                    outcome.run.rejected += 1
                }
            }
        }
        outcome.run.totals = [Direction.outbound, .inbound, .unknown].map { detector.total(.car, $0) }
        outcome.run.driver = driver.health
        outcome.run.injected = frontEnd.injected
        outcome.run.presented = frontEnd.scansPresented
        outcome.run.gaps = detector.health.sequenceGaps
        outcome.faultB = detector.faults.b
        return outcome
    }

    @Test("With a clean bus every scan arrives once, loop status included: B's open circuit is flagged")
    func cleanBus() throws {
        let outcome = try Self.run(faultRate: 0, seed: 1)
        outcome.run.expectClean()
        #expect(outcome.faultB.contains(.open))
        #expect(outcome.run.totals[0] > 20 && outcome.run.totals[2] > 0)
    }

    @Test("At 1 % of transfers failing the loop driver counts every fault and never hands on a scan twice")
    func faultyBus() throws {
        let clean = try Self.run(faultRate: 0, seed: 1)
        let faulty = try Self.run(faultRate: 0.01, seed: 9)
        let injected = faulty.run.injected
        #expect(injected.readNacks > 100 && injected.garbageReads > 100 && injected.stuckReady > 50)
        faulty.run.expectFaultsAccounted()
        #expect(faulty.run.totals == clean.run.totals, "a scan lost now and then moves no vehicle count")
    }
}
