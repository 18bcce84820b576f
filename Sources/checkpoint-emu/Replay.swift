import CheckpointCLI
import CrossingCore
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation

/// `checkpoint-emu replay`: a frame file through the emulated device.
enum Replay {
    static let help = """
        usage: checkpoint-emu replay --frames FILE [--config FILE] [--json]

        Runs the emulated device on a recorded frame file (Hardware/frame-format.md) and prints
        its totals. A truncated or corrupt record stops the replay with an error naming its byte
        offset (exit 1); the frames before it are counted and printed.

          --frames FILE   frame file, as 'checkpoint-emu record' writes it
          --config FILE   device config (docs/device-config.md); the frames go to its first
                          lane, which must have the file's sensor (a depth sensor of the
                          file's grid, or loops). Default: one lane set up as the file's
                          header describes it
          --json          the totals as one JSON object
        """

    static func main(_ argumentList: [String]) {
        let (arguments, (path, configPath)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["frames", "config"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            guard let frames = arguments.value("frames") else { throw UsageError("--frames FILE is required") }
            return (frames, arguments.value("config"))
        }
        guard let data = FileManager.default.contents(atPath: path) else { Terminal.fail(program, "\(path): cannot read") }
        var reader: FrameFileReader
        do throws(FrameFileError) {
            reader = try FrameFileReader(bytes: [UInt8](data))
        } catch {
            Terminal.fail(program, "\(path): \(error)")
        }
        var config = reader.header.deviceConfig()
        if let configPath {
            config = RunConfig.load(configPath)
            switch (config.lane(0).sensor, reader.header.sensor) {
            case (.depth(let lane, _), .depth(let recorded)) where lane.side == recorded.side: break
            case (.loops, .loops): break
            case (_, .depth(let recorded)):
                Terminal.fail(program, "\(configPath): lanes[0] must be a depth sensor with grid \(recorded.side), as the frames are", usage: true)
            case (_, .loops):
                Terminal.fail(program, "\(configPath): lanes[0] must be a loop pair, as the recorded scans are", usage: true)
            }
        }
        var board: EmulatedBoard
        do {
            board = try EmulatedBoard(config: config)
        } catch {
            Terminal.fail(program, "the device did not boot: \(error)")
        }
        installInterruptHandler()
        var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
        var frames = 0
        var failure: String?
        var progress = ProgressLine(total: Double(data.count), unit: "B")
        do throws(FrameFileError) {
            while !interruptRequested.load(ordering: .relaxed), let record = try reader.next(into: &zones) {
                do {
                    try board.deliver(lane: 0, record: record, zones: zones)
                } catch {
                    Terminal.fail(program, "emulated flash failed: \(error)")
                }
                frames += 1
                progress.update(done: Double(reader.position), detail: "\(frames) frames")
            }
        } catch {
            failure = "\(path): \(error)"
        }
        progress.finish()
        if arguments.flag("json") {
            let extra: [(String, JSONValue)] = [("frames_file", .string(path)), ("frames", .integer(Int64(frames)))]
            print(DeviceTotals.json(board, extra: extra).rendered())
        } else {
            print("replayed \(frames) frames from \(path)\n")
            print(DeviceTotals.table(board))
        }
        if let failure { Terminal.fail(program, failure) }
        exitIfInterrupted()
    }
}
