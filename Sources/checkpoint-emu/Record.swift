import CheckpointCLI
import CrossingCore
import CrossingEmulation
import CrossingSimulation
import Foundation

/// `checkpoint-emu record`: a scenario's depth frames to a frame file, counted by the
/// emulated device on the way.
enum Record {
    static let help = """
        usage: checkpoint-emu record --scenario FILE --out FILE [--duration SECONDS] [--seed N] [--json]

        Simulates the first depth-sensor lane of the scenario, writes the frames its sensor
        delivers to a frame file (Hardware/frame-format.md), and counts them on the emulated
        device as they go, printing its totals. 'checkpoint-emu replay' of the file gives the
        same totals.

          --scenario FILE     scenario JSON (docs/scenario.md)
          --out FILE          frame file to write
          --duration SECONDS  simulated time (default: the scenario's)
          --seed N            seed (default 1)
          --json              the totals as one JSON object
        """

    static func main(_ argumentList: [String]) {
        let (arguments, (scenarioPath, outPath, durationS, seed)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["scenario", "out", "duration", "seed"],
            flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            guard let scenario = arguments.value("scenario") else { throw UsageError("--scenario FILE is required") }
            guard let out = arguments.value("out") else { throw UsageError("--out FILE is required") }
            return (scenario, out, try arguments.number("duration", in: 1...(7 * 86_400)), try arguments.unsigned("seed") ?? 1)
        }
        let scenario: Scenario
        do throws(ScenarioError) {
            scenario = try Scenario.load(path: scenarioPath)
        } catch {
            Terminal.fail(program, error.description)
        }
        guard let laneIndex = scenario.lanes.firstIndex(where: { $0.sensor != nil }), let sensor = scenario.lanes[laneIndex].sensor else {
            Terminal.fail(program, "\(scenarioPath): no lane with a depth sensor to record")
        }
        let duration = durationS ?? scenario.durationS
        let config = scenario.lanes[laneIndex].laneConfig
        var frames = LaneFrames(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: duration)
        var writer = FrameFileWriter(header: FrameFileHeader(config: config, frameRateHz: sensor.frameRateHz))
        var board: EmulatedBoard
        do {
            board = try EmulatedBoard(config: writer.header.deviceConfig, seed: seed)
        } catch {
            Terminal.fail(program, "the device did not boot: \(error)")
        }
        installInterruptHandler()
        var progress = ProgressLine(total: duration, unit: "sim-s")
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: sensor.grid * sensor.grid)
        while !interruptRequested.load(ordering: .relaxed), let header = frames.next(into: &zones) {
            writer.append(header: header, zones: zones.span)
            do {
                try board.deliver(lane: 0, header: header, zones: zones.span)
            } catch {
                Terminal.fail(program, "emulated flash failed: \(error)")
            }
            progress.update(done: frames.timeS, detail: "\(writer.frames) frames")
        }
        progress.finish()
        do {
            try Data(writer.bytes).write(to: URL(fileURLWithPath: outPath))
        } catch {
            Terminal.fail(program, "\(outPath): \(error.localizedDescription)")
        }
        if arguments.flag("json") {
            let extra: [(String, JSONValue)] = [
                ("scenario", .string(scenario.name)), ("scenario_lane", .string(scenario.lanes[laneIndex].name)),
                ("seed", .integer(Int64(seed))), ("out", .string(outPath)), ("frames", .integer(Int64(writer.frames))),
            ]
            print(DeviceTotals.json(board, extra: extra).rendered())
        } else {
            print("recorded \(scenario.name), lane \(scenario.lanes[laneIndex].name), seed \(seed): \(writer.frames) frames to \(outPath)\n")
            print(DeviceTotals.table(board))
        }
        exitIfInterrupted()
    }
}
