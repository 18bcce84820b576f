import CrossingCore
import CrossingSimulation
import Testing

@Suite("Determinism")
struct DeterminismTests {
    /// FNV-1a over every header field and zone of the first `seconds` of a lane's frames.
    static func digest(scenario: Scenario, lane: Int, seed: UInt64, seconds: Double) -> UInt64 {
        var frames = LaneFrames(scenario: scenario, laneIndex: lane, seed: seed, durationS: seconds)
        let side = frames.sensor.grid
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: side * side)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ value: UInt64) {
            hash = (hash ^ value) &* 0x100_0000_01B3
        }
        while frames.timeS < seconds, let header = frames.next(into: &zones) {
            mix(UInt64(header.sequence))
            mix(header.timestampUs)
            for zone in zones { mix(UInt64(zone.distanceMm) << 8 | UInt64(zone.status.rawValue)) }
        }
        return hash
    }

    @Test("The same seed gives the same frames; another seed gives others")
    func sameSeedSameBytes() throws {
        let scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/suite/noisy-mixed.json"))
        for lane in scenario.lanes.indices {
            let first = Self.digest(scenario: scenario, lane: lane, seed: 7, seconds: 300)
            let again = Self.digest(scenario: scenario, lane: lane, seed: 7, seconds: 300)
            let other = Self.digest(scenario: scenario, lane: lane, seed: 8, seconds: 300)
            #expect(first == again)
            #expect(first != other)
        }
    }

    @Test("A run's report is the same for the same seed")
    func sameSeedSameReport() throws {
        let scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/suite/bicycles-and-walkers.json"))
        let first = ScoreReport(results: try ScenarioRun.run(scenario: scenario, seed: 3, durationS: 600, baseline: true))
        let again = ScoreReport(results: try ScenarioRun.run(scenario: scenario, seed: 3, durationS: 600, baseline: true))
        #expect(first.rows == again.rows)
        #expect(first.baselineRows == again.baselineRows)
    }
}
