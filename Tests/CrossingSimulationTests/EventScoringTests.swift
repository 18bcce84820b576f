import CrossingCore
@testable import CrossingSimulation
import Foundation
import Testing

/// Scoring event by event: each counted crossing paired with at most one true one, so that a
/// miss and an extra no longer cancel as they do in the net row figures.
@Suite("Event-level scoring")
struct EventScoringTests {
    static let walkway = """
        {"name": "events", "site": "test", "duration_s": 60, "lanes": [{
          "name": "walkway", "kind": "walkway", "width_m": 2.4, "length_m": 12,
          "sensor": {"mount_height_m": 2.8, "grid": 8, "frame_rate_hz": 15},
          "traffic": [{"class": "pedestrian", "direction": "outbound", "per_hour": 60},
                      {"class": "bicycle", "direction": "outbound", "per_hour": 10}]}]}
        """

    static func truth(_ crossingClass: CrossingClass, _ direction: Direction, _ timeS: Double) -> TruthEvent {
        TruthEvent(crossingClass: crossingClass, direction: direction, timeS: timeS, lengthM: 0.3)
    }

    static func counted(_ crossingClass: CrossingClass, _ direction: Direction, _ timeS: Double) -> CountedEvent {
        CountedEvent(crossingClass: crossingClass, direction: direction, timeS: timeS)
    }

    @Test("A miss and an extra that cancel in the net figures both show, and a wrong class is its own figure")
    func handMade() throws {
        let scenario = try Scenario.parse(data: Data(Self.walkway.utf8))
        var result = LaneResult(spec: scenario.lanes[0])
        result.truth = [Self.truth(.pedestrian, .outbound, 10), Self.truth(.bicycle, .outbound, 20), Self.truth(.pedestrian, .inbound, 30)]
        // The walker at 10 s counted; the cyclist counted as a walker; a walker counted who never
        // came; the inbound walker counted a second early.
        result.counted = [
            Self.counted(.pedestrian, .outbound, 10.4), Self.counted(.pedestrian, .outbound, 20.5),
            Self.counted(.pedestrian, .outbound, 100), Self.counted(.pedestrian, .inbound, 29),
        ]
        let report = ScoreReport(results: [result])
        func row(_ crossingClass: CrossingClass, _ direction: Direction) throws -> ScoreReport.Row {
            try #require(report.rows.first { $0.crossingClass == crossingClass && $0.direction == direction })
        }
        let walkersOut = try row(.pedestrian, .outbound)
        #expect((walkersOut.truth, walkersOut.counted) == (1, 3))
        #expect((walkersOut.matched, walkersOut.missed, walkersOut.extra, walkersOut.misclassified) == (1, 0, 1, 0))
        let cyclistsOut = try row(.bicycle, .outbound)
        #expect((cyclistsOut.truth, cyclistsOut.counted) == (1, 0))
        #expect((cyclistsOut.matched, cyclistsOut.missed, cyclistsOut.extra, cyclistsOut.misclassified) == (0, 0, 0, 1))
        let walkersIn = try row(.pedestrian, .inbound)
        #expect((walkersIn.matched, walkersIn.missed, walkersIn.extra, walkersIn.misclassified) == (1, 0, 0, 0))
        // Two of three true crossings right, one extra: 2 / (3 + 1).
        #expect(report.eventAccuracy == 0.5)
    }

    @Test("On a simulated scene every true crossing is matched, matched in another class or missed, once; every counted one once")
    func accountsForEveryCrossing() throws {
        let scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/suite/noisy-mixed.json"))
        let report = ScoreReport(results: try ScenarioRun.run(scenario: scenario, seed: 1, durationS: 900, baseline: false))
        for row in report.rows {
            #expect(row.matched + row.misclassified + row.missed == row.truth, "\(row)")
        }
        let counted = report.rows.reduce(0) { $0 + $1.counted }
        let pairedOrExtra = report.rows.reduce(0) { $0 + $1.matched + $1.misclassified + $1.extra }
        #expect(counted == pairedOrExtra)
        #expect(report.rows.reduce(0) { $0 + $1.truth } > 100)
        #expect(report.eventAccuracy > 0.9 && report.eventAccuracy <= 1)
    }
}
