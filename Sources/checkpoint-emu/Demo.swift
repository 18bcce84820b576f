import CheckpointCLI
import CrossingSimulation
import Foundation

/// `checkpoint-emu demo`: the main job on a fresh machine. Verkhny Lars for a simulated hour.
enum Demo {
    static let help = """
        usage: checkpoint-emu demo [--seed N] [--duration SECONDS] [--json]

        Simulates the Verkhny Lars crossing (Hardware/scenarios/sites/verkhny-lars.json) for a
        simulated hour at maximum speed, counts every lane with the counting core, and prints
        truth, counted and error per lane, class and direction.

          --seed N            seed (default 1)
          --duration SECONDS  simulated time (default 3600)
          --json              one JSON object, as 'checkpoint-emu score --json' prints
        """

    static let scenarioPath = "Hardware/scenarios/sites/verkhny-lars.json"

    static func main(_ argumentList: [String]) {
        let (arguments, (seed, durationS)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["seed", "duration"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            (try arguments.unsigned("seed") ?? 1, try arguments.number("duration", in: 60...(7 * 86_400)) ?? 3600)
        }
        let scenario: Scenario
        do throws(ScenarioError) {
            scenario = try Scenario.load(path: locate(scenarioPath))
        } catch {
            Terminal.fail(program, error.description)
        }
        let output = Score.run(command: "demo", scenario: scenario, seed: seed, durationS: durationS, baseline: false)
        print(arguments.flag("json") ? output.json().rendered() : output.table())
        exitIfInterrupted()
    }

    /// A repository file, found from the working directory or, failing that, from where this
    /// source file was built, so the demo runs from anywhere inside the checkout.
    static func locate(_ relative: String) -> String {
        if FileManager.default.fileExists(atPath: relative) { return relative }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(relative).path
    }
}
