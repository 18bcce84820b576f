import CheckpointCLI
import CrossingCore
import CrossingSimulation
import Foundation
import Synchronization

/// `checkpoint-emu score`: simulate a scenario, count it, and report counted against truth.
enum Score {
    static let help = """
        usage: checkpoint-emu score --scenario FILE [--seed N] [--duration SECONDS]
                                    [--variant NAME] [--baseline two-zone] [--json]

        Simulates the scenario with ground truth, counts every lane with the counting core, and
        prints per lane, class and direction truth, counted and their net error, then event by
        event (each counted crossing paired with at most one true one of its direction: its own
        class within 3 s, else any class from 10 minutes before to an hour after) the matched,
        missed, extra and those matched in another class; the overall accuracy, the event
        accuracy (matched in class / (truth + extra)) and the class confusion. It exits 0
        whatever the accuracy: it reports, tests judge.

          --scenario FILE       scenario JSON (docs/scenario.md)
          --seed N              seed (default 1); the same seed gives the same output
          --duration SECONDS    simulated time of arrivals (default: the scenario's duration_s);
                                the run then goes on until everyone who came has crossed
          --variant NAME        see every depth sensor as the variant says: one-ray-light,
                                third-dark or daylight (docs/scenario.md, "Sensor variants")
          --baseline two-zone   also count with the two-zone reference algorithm (ST UM2600)
          --json                one JSON object: scenario, seed, duration_s, rows (each with
                                truth, counted, matched, missed, extra, misclassified),
                                accuracy, event_accuracy, class_accuracy, confusion,
                                baseline_rows (with --baseline), lanes
        """

    static func main(_ argumentList: [String]) {
        let (arguments, (seed, durationArgument)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["scenario", "seed", "duration", "baseline", "variant"],
            flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            guard arguments.value("scenario") != nil else { throw UsageError("--scenario FILE is required") }
            if let baseline = arguments.value("baseline"), baseline != "two-zone" {
                throw UsageError("--baseline must be 'two-zone', got '\(baseline)'")
            }
            _ = try variant(arguments.value("variant"))
            return (try arguments.unsigned("seed") ?? 1, try arguments.number("duration", in: 1...(31 * 86_400)))
        }
        var scenario: Scenario
        do throws(ScenarioError) {
            scenario = try Scenario.load(path: arguments.value("scenario")!)
        } catch {
            Terminal.fail(program, error.description, usage: true)
        }
        // Checked in the parse above.
        if let variant = try? variant(arguments.value("variant")) { scenario = scenario.applying(variant) }
        let output = run(command: "score", scenario: scenario, seed: seed, durationS: durationArgument ?? scenario.durationS,
                         baseline: arguments.value("baseline") != nil)
        print(arguments.flag("json") ? output.json().rendered() : output.table())
        exitIfInterrupted()
    }

    /// The sensor variant a `--variant` value names, or nil when there is none.
    static func variant(_ name: String?) throws(UsageError) -> SensorVariant? {
        guard let name else { return nil }
        guard let variant = SensorVariant.named(name) else {
            throw UsageError("--variant must be one of \(SensorVariant.all.map(\.name).joined(separator: ", ")), got '\(name)'")
        }
        return variant
    }

    /// Runs and scores a scenario with a progress line; SIGINT stops it and reports what ran.
    static func run(command: String, scenario: Scenario, seed: UInt64, durationS: Double, baseline: Bool) -> ScoreOutput {
        installInterruptHandler()
        let started = Date()
        let progress = Mutex(ProgressLine(total: durationS * Double(scenario.lanes.count), unit: "sim-s"))
        let results: [LaneResult]
        do throws(ConfigError) {
            results = try ScenarioRun.run(scenario: scenario, seed: seed, durationS: durationS, baseline: baseline) { done in
                progress.withLock { $0.update(done: done, detail: "simulated \(Int(done)) lane-s") }
                return !interruptRequested.load(ordering: .relaxed)
            }
        } catch {
            Terminal.fail(program, "\(scenario.name): lane configuration: \(error.field): \(error.reason)", usage: true)
        }
        progress.withLock { $0.finish() }
        return ScoreOutput(
            command: command, scenario: scenario, seed: seed, durationS: durationS, wallS: Date().timeIntervalSince(started),
            interrupted: interruptRequested.load(ordering: .relaxed), results: results,
            report: ScoreReport(results: results))
    }
}
