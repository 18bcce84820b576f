import CheckpointCLI
import CrossingCore
import CrossingSimulation
import Foundation

/// `checkpoint-emu suite`: every suite scenario over several seeds, against its accuracy floor,
/// with the two-zone baseline side by side.
enum Suite {
    static let help = """
        usage: checkpoint-emu suite [--seeds A-B] [--duration SECONDS] [--variants LIST] [--check]
                                    [--json]

        Scores every scenario in Hardware/scenarios/suite over the seeds (default 1-5) for the
        duration (default 7200 s each), with the two-zone baseline, and prints per scenario the
        truth, our net error and the baseline's, the share of crossings counted right event by
        event (see checkpoint-emu score), and whether the floor holds:

          sparse-walkers                         >= 99 % of crossings right, event by event,
                                                 per class and direction
          bicycles-and-walkers                   >= 95 % right per class and direction
          dense-two-way, groups                  >= 97 % right per direction
          varied-crowd                           >= 92 % right per direction
          noisy-mixed                            >= 75 % right per class and direction, in
                                                 rows of 50 crossings or more over the seeds
          (sparse-walkers, bicycles-and-walkers, varied-crowd, noisy-mixed and the vehicle
          scenes are held below issue 25's 99.5 %, 99 %, 97 %, 97 % and exact:
          docs/counting.md, "Accuracy", says why)
          car-stop-and-go, bus-truck             >= 90 % right per direction, class right
                                                 >= 98 % (reported only under third-dark)
          loop-free-flow, loop-stop-and-go       counts exact per direction, class right >= 98 %,
                                                 median length error <= 10 % (stop-and-go,
                                                 rows of 10 vehicles or more)
          loop-tailgating, loop-trucks           counts exact per direction
          loop-failing                           counts exact per lane (direction unknown after
                                                 the failure)
          every depth scenario                   fewer errors than the two-zone baseline

          --variants LIST  the sensor variants to score under, comma-separated: scene (each
                           sensor as its scenario writes it), one-ray-light, third-dark,
                           daylight, or all (default scene); each floor holds under each
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
        /// Smallest allowed share of a row's crossings counted right, event by event
        /// (`ScoreReport.eventAccuracy`), over every seed's rows, for rows of at least
        /// `eventRowTruthMin` crossings.
        var eventAccuracyMin = 0.0
        var eventRowTruthMin = 1

        /// Sensor variants under which the scene is only reported: the part cannot do it.
        var reportOnlyUnder: [String] = []

        /// Depth-sensed vehicles: 90 % right per direction, event by event, and 98 % of those
        /// matched in their class. Under `third-dark` a dark roof 3.1-3.6 m from the sensor is at
        /// the edge of the part's reach in 4x4 (Hardware/depth-sensor.md): reported, not judged.
        static let vehicles = Floor(
            rowErrorMax: .infinity, rows: .direction, classAccuracyMin: 0.98, eventAccuracyMin: 0.9,
            reportOnlyUnder: ["third-dark"])

        /// A floor judged event by event only.
        static func events(_ accuracyMin: Double, rows: Rows, rowTruthMin: Int = 1) -> Floor {
            Floor(rowErrorMax: .infinity, rows: rows, classAccuracyMin: 0, eventAccuracyMin: accuracyMin,
                  eventRowTruthMin: rowTruthMin)
        }
    }

    static let floors: [(String, Floor)] = [
        ("sparse-walkers", .events(0.99, rows: .classAndDirection)),
        ("bicycles-and-walkers", .events(0.95, rows: .classAndDirection)),
        ("car-stop-and-go", .vehicles),
        ("bus-truck", .vehicles),
        ("dense-two-way", .events(0.97, rows: .direction)),
        ("groups", .events(0.97, rows: .direction)),
        ("varied-crowd", .events(0.92, rows: .direction)),
        ("noisy-mixed", .events(0.75, rows: .classAndDirection, rowTruthMin: 50)),
        ("loop-free-flow", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0.98)),
        ("loop-stop-and-go", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0.98, lengthErrorMedianMax: 0.1)),
        ("loop-tailgating", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0)),
        ("loop-trucks", Floor(rowErrorMax: 0, rows: .direction, classAccuracyMin: 0)),
        ("loop-failing", Floor(rowErrorMax: 0, rows: .lane, classAccuracyMin: 0)),
    ]

    static func main(_ argumentList: [String]) {
        let (arguments, (seeds, durationS, variants)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["seeds", "duration", "variants"],
            flagOptions: ["check", "json"]
        ) { arguments throws(UsageError) in
            (try parseSeeds(arguments.value("seeds") ?? "1-5"), try arguments.number("duration", in: 60...86_400) ?? 7200,
             try parseVariants(arguments.value("variants") ?? "scene"))
        }
        installInterruptHandler()
        var lines: [[String]] = []
        var objects: [JSONValue] = []
        var failures = 0
        let runs = variants.flatMap { variant in floors.map { (variant, $0.0, $0.1) } }
        for (variant, name, floor) in runs where !interruptRequested.load(ordering: .relaxed) {
            var scenario: Scenario
            do throws(ScenarioError) {
                scenario = try Scenario.load(path: Demo.locate("Hardware/scenarios/suite/\(name).json"))
            } catch {
                Terminal.fail(program, error.description)
            }
            // A variant changes depth sensors only: a scenario of loop lanes is scored once.
            if let variant {
                guard scenario.lanes.contains(where: { $0.sensor != nil }) else { continue }
                scenario = scenario.applying(variant)
            }
            let label = variant.map { "\(name) [\($0.name)]" } ?? name
            var outcome = Outcome()
            for seed in seeds where !interruptRequested.load(ordering: .relaxed) {
                let output = Score.run(command: "suite", scenario: scenario, seed: seed, durationS: durationS, baseline: true)
                outcome.add(output.report, floor: floor)
            }
            outcome.judgeTotals(floor: floor)
            outcome.floorReportOnly = variant.map { floor.reportOnlyUnder.contains($0.name) } ?? false
            if !outcome.passed {
                failures += 1
                for seed in seeds {
                    let variantOption = variant.map { " --variant \($0.name)" } ?? ""
                    Terminal.error(
                        "\(program): \(label) missed its floor; replay: checkpoint-emu score --scenario Hardware/scenarios/suite/\(name).json"
                            + " --seed \(seed) --duration \(Int(durationS))\(variantOption)")
                }
            }
            lines.append(outcome.row(name: label))
            objects.append(outcome.json(name: name, variant: variant?.name ?? "scene"))
        }
        if arguments.flag("json") {
            print(JSONValue.object([
                ("seeds", .string("\(seeds.lowerBound)-\(seeds.upperBound)")),
                ("duration_s", .number(durationS)),
                ("scenarios", .array(objects)),
                ("failures", .integer(Int64(failures))),
            ]).rendered())
        } else {
            let names = variants.map { $0?.name ?? "scene" }.joined(separator: ", ")
            print("suite: seeds \(seeds.lowerBound)-\(seeds.upperBound), \(Int(durationS)) s each, sensors: \(names)\n")
            print(renderTable(
                headers: ["scenario", "truth", "ours: errors", "worst row", "events right", "worst row right", "class ok",
                          "two-zone: errors", "floor"],
                rows: lines))
            print("\n\(lines.count - failures) of \(lines.count) scenarios meet their floor")
        }
        exitIfInterrupted()
        if arguments.flag("check") && failures > 0 { exit(1) }
    }

    /// The variants a `--variants` list names; nil stands for each scenario as written.
    static func parseVariants(_ text: String) throws(UsageError) -> [SensorVariant?] {
        if text == "all" { return [nil] + SensorVariant.all.map { $0 } }
        var variants: [SensorVariant?] = []
        for name in text.split(separator: ",").map(String.init) {
            if name == "scene" {
                variants.append(nil)
            } else if let variant = SensorVariant.named(name) {
                variants.append(variant)
            } else {
                throw UsageError("--variants: '\(name)' is not scene, all, or one of \(SensorVariant.all.map(\.name).joined(separator: ", "))")
            }
        }
        guard !variants.isEmpty else { throw UsageError("--variants names no variant") }
        return variants
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
        /// The lowest event accuracy of a row group the floor judges (1 when it judges none).
        var worstRowEventAccuracy = 1.0

        var classAccuracy: Double { matched == 0 ? 1 : Double(matchedRight) / Double(matched) }
        var eventAccuracy: Double { ScoreReport.eventAccuracy(eventRows) }
        /// The baseline runs on depth lanes only; a scenario of loop lanes has none to beat.
        var beatsBaseline: Bool { !hasBaseline || errors < baselineErrors || errors == 0 }
        var passed: Bool { floorReportOnly || (floorMet && beatsBaseline) }
        var floorReportOnly = false

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

        /// Holds the class accuracy over every seed, and every row group of the seeds' rows, to
        /// the floor: one bus in a seed's thirty taken for a car is not a seed's failure.
        mutating func judgeTotals(floor: Floor) {
            if classAccuracy < floor.classAccuracyMin { floorMet = false }
            guard floor.eventAccuracyMin > 0 else { return }
            var groups: [String: [ScoreReport.Row]] = [:]
            for row in eventRows {
                let key = switch floor.rows {
                case .classAndDirection: "\(row.lane) \(row.crossingClass) \(row.direction)"
                case .direction: "\(row.direction)"
                case .lane: row.lane
                }
                groups[key, default: []].append(row)
            }
            for rows in groups.values where rows.reduce(0, { $0 + $1.truth }) >= floor.eventRowTruthMin {
                let accuracy = ScoreReport.eventAccuracy(rows)
                worstRowEventAccuracy = min(worstRowEventAccuracy, accuracy)
                if accuracy < floor.eventAccuracyMin { floorMet = false }
            }
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
             String(format: "%.2f%%", 100 * eventAccuracy), String(format: "%.2f%%", 100 * worstRowEventAccuracy),
             String(format: "%.1f%%", 100 * classAccuracy),
             hasBaseline ? "\(baselineErrors) (\(percent(baselineErrors)))" : "-",
             floorReportOnly ? "report" : passed ? "met" : "MISSED"]
        }

        func percent(_ count: Int) -> String {
            truth == 0 ? "-" : String(format: "%.1f%%", 100 * Double(count) / Double(truth))
        }

        func json(name: String, variant: String) -> JSONValue {
            .object([
                ("scenario", .string(name)), ("variant", .string(variant)), ("truth", .integer(Int64(truth))),
                ("errors", .integer(Int64(errors))),
                ("worst_row_error", .number((worstRowError * 1e4).rounded() / 1e4)),
                ("event_accuracy", .number((eventAccuracy * 1e4).rounded() / 1e4)),
                ("worst_row_event_accuracy", .number((worstRowEventAccuracy * 1e4).rounded() / 1e4)),
                ("class_accuracy", .number((classAccuracy * 1e4).rounded() / 1e4)),
                ("baseline_errors", .integer(Int64(baselineErrors))), ("floor_met", .bool(floorMet)),
                ("beats_baseline", .bool(beatsBaseline)),
            ])
        }
    }
}
