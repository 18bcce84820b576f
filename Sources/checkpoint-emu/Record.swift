import CheckpointCLI
import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation

/// `checkpoint-emu record`: one scenario lane's frames or loop scans to a frame file, counted
/// by the emulated device on the way.
enum Record {
    static let help = """
        usage: checkpoint-emu record --scenario FILE --out FILE [--lane NAME] [--duration SECONDS] [--seed N] [--json]

        Simulates one lane of the scenario, writes what its sensor delivers (depth frames, or
        the scans of a loop pair) to a frame file (Hardware/frame-format.md), and counts them
        on the emulated device as they go, printing its totals. 'checkpoint-emu replay' of the
        file gives the same totals.

          --scenario FILE     scenario JSON (docs/scenario.md)
          --out FILE          frame file to write
          --lane NAME         the lane to record (default: the scenario's first)
          --duration SECONDS  simulated time (default: the scenario's)
          --seed N            seed (default 1)
          --json              the totals as one JSON object
        """

    static func main(_ argumentList: [String]) {
        let (arguments, (scenarioPath, outPath, durationS, seed)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["scenario", "out", "lane", "duration", "seed"],
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
        let laneName = arguments.value("lane") ?? scenario.lanes[0].name
        guard let laneIndex = scenario.lanes.firstIndex(where: { $0.name == laneName }) else {
            let names = scenario.lanes.map(\.name).joined(separator: ", ")
            Terminal.fail(program, "\(scenarioPath): no lane '\(laneName)' (lanes: \(names))", usage: true)
        }
        let lane = scenario.lanes[laneIndex]
        let duration = durationS ?? scenario.durationS
        var writer: FrameFileWriter
        var depth: LaneFrames?
        var loops: LoopSamples?
        if let sensor = lane.sensor {
            writer = FrameFileWriter(
                header: FrameFileHeader(depth: lane.laneConfig, frameRateMilliHz: UInt32((sensor.frameRateHz * 1000).rounded())))
            depth = LaneFrames(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: duration)
        } else {
            writer = FrameFileWriter(header: FrameFileHeader(loops: lane.loopConfig))
            loops = LoopSamples(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: duration)
        }
        var board: EmulatedBoard
        do {
            board = try EmulatedBoard(config: writer.header.deviceConfig(), seed: seed)
        } catch {
            Terminal.fail(program, "the device did not boot: \(error)")
        }
        installInterruptHandler()
        var progress = ProgressLine(total: duration, unit: "sim-s")
        let grid = lane.sensor?.grid ?? 0
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: grid * grid)
        do throws(FlashError) {
            while !interruptRequested.load(ordering: .relaxed) {
                if depth != nil {
                    guard let header = depth!.next(into: &zones) else { break }
                    writer.append(header: header, zones: zones.span)
                    try board.deliver(lane: 0, header: header, zones: zones.span)
                    progress.update(done: depth!.timeS, detail: "\(writer.frames) frames")
                } else {
                    guard let scan = loops!.next() else { break }
                    writer.append(scan)
                    try board.deliver(lane: 0, scan: scan)
                    progress.update(done: loops!.timeS, detail: "\(writer.frames) scans")
                }
            }
        } catch {
            Terminal.fail(program, "emulated flash failed: \(error)")
        }
        progress.finish()
        do {
            try Data(writer.bytes).write(to: URL(fileURLWithPath: outPath))
        } catch {
            Terminal.fail(program, "\(outPath): \(error.localizedDescription)")
        }
        if arguments.flag("json") {
            let extra: [(String, JSONValue)] = [
                ("scenario", .string(scenario.name)), ("scenario_lane", .string(lane.name)),
                ("seed", .integer(Int64(seed))), ("out", .string(outPath)), ("frames", .integer(Int64(writer.frames))),
            ]
            print(DeviceTotals.json(board, extra: extra).rendered())
        } else {
            print("recorded \(scenario.name), lane \(lane.name), seed \(seed): \(writer.frames) records to \(outPath)\n")
            print(DeviceTotals.table(board))
        }
        exitIfInterrupted()
    }
}
