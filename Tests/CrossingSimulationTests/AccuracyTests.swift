import CrossingCore
import CrossingSimulation
import Testing

/// Accuracy floors on suite scenarios, one seed each so the debug test run stays short.
/// `Tools/score-suite` checks every scenario over seeds 1-5 for two simulated hours each.
@Suite("Accuracy on the suite")
struct AccuracyTests {
    static func score(_ name: String, seed: UInt64 = 1, durationS: Double) throws -> ScoreReport {
        let scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/suite/\(name).json"))
        return ScoreReport(results: try ScenarioRun.run(scenario: scenario, seed: seed, durationS: durationS, baseline: true))
    }

    @Test("Sparse walkers are counted exactly, and better than the two-zone baseline")
    func sparseWalkers() throws {
        let report = try Self.score("sparse-walkers", durationS: 3600)
        #expect(report.rows.allSatisfy { $0.counted == $0.truth }, "\(report.rows)")
        #expect(report.rows.reduce(0) { $0 + $1.truth } > 50)
        #expect(report.accuracy > report.baselineAccuracy ?? 1)
    }

    @Test("Cars stopping under the sensor for minutes are counted exactly, as cars")
    func carStopAndGo() throws {
        let report = try Self.score("car-stop-and-go", durationS: 3600)
        #expect(report.rows.allSatisfy { $0.counted == $0.truth }, "\(report.rows)")
        #expect(report.classAccuracy >= 0.98)
        #expect(report.rows.reduce(0) { $0 + $1.truth } >= 5)
    }

    @Test("Buses and trucks with trailers longer than the view count once each")
    func busesAndTrucks() throws {
        let report = try Self.score("bus-truck", durationS: 3600)
        #expect(report.rows.allSatisfy { $0.counted == $0.truth }, "\(report.rows)")
        #expect(report.classAccuracy >= 0.98)
    }

    @Test("Bicycles mixed with walkers: at least 97 % of each row counted right, event by event")
    func bicyclesAndWalkers() throws {
        let report = try Self.score("bicycles-and-walkers", seed: 4, durationS: 2400)
        for row in report.rows where row.truth > 0 {
            #expect(ScoreReport.eventAccuracy([row]) >= 0.97, "\(row)")
        }
        #expect(report.rows.filter { $0.crossingClass == .bicycle }.reduce(0) { $0 + $1.truth } >= 20)
        #expect(report.accuracy > report.baselineAccuracy ?? 1)
    }

    @Test("Every sensor variant indoors: sparse walkers still counted right, event by event")
    func sparseWalkersUnderVariants() throws {
        let scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/suite/sparse-walkers.json"))
        for variant in SensorVariant.all where variant.ambient == .dark {
            let report = ScoreReport(results: try ScenarioRun.run(
                scenario: scenario.applying(variant), seed: 2, durationS: 1800, baseline: false))
            #expect(report.eventAccuracy >= 0.995, "\(variant.name): \(report.rows)")
        }
    }

    @Test("A dense crowd, one corridor each way, 15 % in pairs abreast, is counted within 2 % each way")
    func denseTwoWay() throws {
        let report = try Self.score("dense-two-way", durationS: 3600)
        for direction in ScoreReport.directions {
            let rows = report.rows.filter { $0.direction == direction }
            let truth = rows.reduce(0) { $0 + $1.truth }
            let counted = rows.reduce(0) { $0 + $1.counted }
            #expect(truth > 300)
            #expect(Double(abs(counted - truth)) <= 0.02 * Double(truth), "\(direction.name): \(counted) of \(truth)")
        }
        #expect(report.accuracy > report.baselineAccuracy ?? 1)
    }

    @Test("Walkers pulling wheeled cases count as walkers: a case is neither a crossing of its own nor a bicycle")
    func walkersWithCases() throws {
        var scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/suite/varied-crowd.json"))
        for lane in scenario.lanes.indices {
            var walkers = scenario.lanes[lane].traffic.first { $0.crossingClass == .pedestrian }!
            walkers.groupSizes = [1]
            walkers.carryingShares = [(.suitcase, 1)]
            scenario.lanes[lane].traffic = [walkers]
        }
        let report = ScoreReport(results: try ScenarioRun.run(scenario: scenario, seed: 3, durationS: 1800, baseline: false))
        let truth = report.rows.reduce(0) { $0 + $1.truth }
        #expect(truth > 200)
        // Before cases were kept from counting, one walker with a case in five was counted as a
        // bicycle, or had a bicycle counted behind them.
        #expect(report.rows.filter { $0.crossingClass == .bicycle }.reduce(0) { $0 + $1.counted } <= truth / 100, "\(report.rows)")
        #expect(report.eventAccuracy >= 0.99, "\(report.rows)")
    }

    @Test("Someone pushing a pram counts as one pedestrian and not as a bicycle")
    func prams() throws {
        var scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/suite/varied-crowd.json"))
        for lane in scenario.lanes.indices {
            var walkers = scenario.lanes[lane].traffic.first { $0.crossingClass == .pedestrian }!
            walkers.groupSizes = [1]
            walkers.childShare = 0
            walkers.carryingShares = [(.pram, 1)]
            scenario.lanes[lane].traffic = [walkers]
        }
        let report = ScoreReport(results: try ScenarioRun.run(scenario: scenario, seed: 3, durationS: 900, baseline: false))
        let truth = report.rows.reduce(0) { $0 + $1.truth }
        #expect(truth > 100)
        // Before walking pace was asked first, every one was counted as a bicycle: a long object
        // at hand height ahead of a head, as a rider's arms and handlebar are.
        #expect(report.rows.filter { $0.crossingClass == .bicycle }.reduce(0) { $0 + $1.counted } <= truth / 20, "\(report.rows)")
        #expect(report.eventAccuracy >= 0.95, "\(report.rows)")
    }
}
