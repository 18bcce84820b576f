import CheckpointCLI
import CrossingCore
import CrossingSimulation
import Foundation

/// `checkpoint-emu suite`: every suite scenario over several seeds, against its accuracy floor,
/// with the two-zone baseline side by side.
enum Suite {
    static let help = """
        usage: checkpoint-emu suite [--seeds A-B] [--duration SECONDS] [--check] [--json]

        Scores every scenario in Hardware/scenarios/suite over the seeds (default 1-5) for the
        duration (default 7200 s each), with the two-zone baseline, and prints per scenario the
        truth, our net error and the baseline's, the share of crossings counted right event by
        event (see checkpoint-emu score), and whether the floor holds:

          sparse-walkers, bicycles-and-walkers   counts exact per class and direction
          car-stop-and-go, bus-truck             counts exact per direction, class right >= 98 %
          dense-two-way                          at most 2 % error per direction
          noisy-mixed                            at most 3 % error per class and direction
          loop-free-flow, loop-stop-and-go       counts exact per direction, class right >= 98 %,
                                                 median length error <= 10 % (stop-and-go,
                                                 rows of 10 vehicles or more)
          loop-tailgating, loop-trucks           counts exact per direction
          loop-failing                           counts exact per lane (direction unknown after
                                                 the failure)
          every depth scenario                   fewer errors than the two-zone baseline

          --check   exit 1 when a floor fails (without it the suite only reports)
          --json    one JSON object per scenario and a summary
        """

    struct Floor {
        enum Rows {
            case classAndDirection
            /// Summed over classes.
            case direction
            /// Summed over classes and directions, `unknown` included.
            case lane
        }

        /// Largest allowed |counted - truth| / truth per row (0: exact).
        let rowErrorMax: Double
        let rows: Rows
        let classAccuracyMin: Double
        /// Largest allowed median relative length error of a loop lane's row of 10 or more.
        var lengthErrorMedianMax = Double.infinity
    }

    static let floors: [(String, Floor)] = [
        ("sparse-walkers", Floor(rowErrorMax: 0, rows: .classAndDirection, classAccuracyMin: 0)),
        ("bicycles-and-walkers", Floor(rowErrorMax: 0, rows: .classAndDirection, classAccuracyMin: 0)),
        ("car-stop-and-go", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0.98)),
        ("bus-truck", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0.98)),
        ("dense-two-way", Floor(rowErrorMax: 0.02, rows: .direction, classAccuracyMin: 0)),
        ("noisy-mixed", Floor(rowErrorMax: 0.03, rows: .classAndDirection, classAccuracyMin: 0)),
        ("loop-free-flow", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0.98)),
        ("loop-stop-and-go", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0.98, lengthErrorMedianMax: 0.1)),
        ("loop-tailgating", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0)),
        ("loop-trucks", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0)),
        ("loop-failing", Floor(rowErrorMax: 0, rows: .lane, classAccuracyMin: 0)),
    ]

    static func main(_ argumentList: [String]) {
        let (arguments, (seeds, durationS)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["seeds", "duration"], flagOptions: ["check", "json"]
        ) { arguments throws(UsageError) in
            (try parseSeeds(arguments.value("seeds") ?? "1-5"), try arguments.number("duration", in: 60...86_400) ?? 7200)
        }
        installInterruptHandler()
        var lines: [[String]] = []
        var objects: [JSONValue] = []
        var failures = 0
        for (name, floor) in floors where !interruptRequested.load(ordering: .relaxed) {
            let scenario: Scenario
            do throws(ScenarioError) {
                scenario = try Scenario.load(path: Demo.locate("Hardware/scenarios/suite/\(name).json"))
            } catch {
                Terminal.fail(program, error.description)
            }
            var outcome = Outcome()
            for seed in seeds where !interruptRequested.load(ordering: .relaxed) {
                let output = Score.run(command: "suite", scenario: scenario, seed: seed, durationS: durationS, baseline: true)
                outcome.add(output.report, floor: floor)
            }
            if !outcome.passed { failures += 1 }
            lines.append(outcome.row(name: name))
            objects.append(outcome.json(name: name))
        }
        if arguments.flag("json") {
            print(JSONValue.object([
                ("seeds", .string("\(seeds.lowerBound)-\(seeds.upperBound)")),
                ("duration_s", .number(durationS)),
                ("scenarios", .array(objects)),
                ("failures", .integer(Int64(failures))),
            ]).rendered())
        } else {
            print("suite: seeds \(seeds.lowerBound)-\(seeds.upperBound), \(Int(durationS)) s each\n")
            print(renderTable(
                headers: ["scenario", "truth", "ours: errors", "worst row", "events right", "class ok", "two-zone: errors", "floor"],
                rows: lines))
            print("\n\(floors.count - failures) of \(floors.count) scenarios meet their floor")
        }
        exitIfInterrupted()
        if arguments.flag("check") && failures > 0 { exit(1) }
    }

    static func parseSeeds(_ text: String) throws(UsageError) -> ClosedRange<UInt64> {
        let parts = text.split(separator: "-").map { UInt64($0) }
        if parts.count == 1, let only = parts[0] { return only...only }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low <= high, high - low < 10_000 else {
            throw UsageError("--seeds must look like 1-5, got '\(text)'")
        }
        return low...high
    }

    /// Totals over the seeds of one scenario, and whether every seed met the floor.
    struct Outcome {
        var truth = 0
        var errors = 0
        var baselineErrors = 0
        var worstRowError = 0.0
        var matched = 0
        var matchedRight = 0
        /// Every seed's rows, for the event accuracy over all of them.
        var eventRows: [ScoreReport.Row] = []
        var floorMet = true
        var hasBaseline = false

        var classAccuracy: Double { matched == 0 ? 1 : Double(matchedRight) / Double(matched) }
        var eventAccuracy: Double { ScoreReport.eventAccuracy(eventRows) }
        /// The baseline runs on depth lanes only; a scenario of loop lanes has none to beat.
        var beatsBaseline: Bool { !hasBaseline || errors < baselineErrors || errors == 0 }
        var passed: Bool { floorMet && beatsBaseline }

        mutating func add(_ report: ScoreReport, floor: Floor) {
            let rows: [(Int, Int)]
            switch floor.rows {
            case .classAndDirection: rows = report.rows.map { ($0.truth, $0.counted) }
            case .direction: rows = Outcome.byDirection(report.rows)
            case .lane: rows = Outcome.byLane(report.rows)
            }
            // A median of a handful of vehicles (the odd bus in a car queue) is not held to it.
            for row in report.rows where row.truth >= 10 && (row.lengthErrorMedian ?? 0) > floor.lengthErrorMedianMax {
                floorMet = false
            }
            for (truth, counted) in rows {
                let error = truth == 0 ? Double(counted) : Double(abs(counted - truth)) / Double(truth)
                worstRowError = max(worstRowError, error)
                if error > floor.rowErrorMax + 1e-9 { floorMet = false }
            }
            if report.classAccuracy < floor.classAccuracyMin { floorMet = false }
            truth += report.rows.reduce(0) { $0 + $1.truth }
            errors += report.rows.reduce(0) { $0 + abs($1.counted - $1.truth) }
            if let baselineRows = report.baselineRows, !baselineRows.isEmpty {
                hasBaseline = true
                baselineErrors += baselineRows.reduce(0) { $0 + abs($1.counted - $1.truth) }
            }
            matched += report.confusion.matchedTotal
            matchedRight += report.confusion.matchedSameClass
            eventRows += report.rows
        }

        static func byDirection(_ rows: [ScoreReport.Row]) -> [(Int, Int)] {
            ScoreReport.directions.map { direction in
                let matching = rows.filter { $0.direction == direction }
                return (matching.reduce(0) { $0 + $1.truth }, matching.reduce(0) { $0 + $1.counted })
            }
        }

        static func byLane(_ rows: [ScoreReport.Row]) -> [(Int, Int)] {
            var lanes: [String] = []
            for row in rows where !lanes.contains(row.lane) { lanes.append(row.lane) }
            return lanes.map { lane in
                let matching = rows.filter { $0.lane == lane }
                return (matching.reduce(0) { $0 + $1.truth }, matching.reduce(0) { $0 + $1.counted })
            }
        }

        func row(name: String) -> [String] {
            [name, "\(truth)", "\(errors) (\(percent(errors)))", String(format: "%.1f%%", 100 * worstRowError),
             String(format: "%.2f%%", 100 * eventAccuracy), String(format: "%.1f%%", 100 * classAccuracy),
             hasBaseline ? "\(baselineErrors) (\(percent(baselineErrors)))" : "-",
             passed ? "met" : "MISSED"]
        }

        func percent(_ count: Int) -> String {
            truth == 0 ? "-" : String(format: "%.1f%%", 100 * Double(count) / Double(truth))
        }

        func json(name: String) -> JSONValue {
            .object([
                ("scenario", .string(name)), ("truth", .integer(Int64(truth))), ("errors", .integer(Int64(errors))),
                ("worst_row_error", .number((worstRowError * 1e4).rounded() / 1e4)),
                ("event_accuracy", .number((eventAccuracy * 1e4).rounded() / 1e4)),
                ("class_accuracy", .number((classAccuracy * 1e4).rounded() / 1e4)),
                ("baseline_errors", .integer(Int64(baselineErrors))), ("floor_met", .bool(floorMet)),
                ("beats_baseline", .bool(beatsBaseline)),
            ])
        }
    }
}
