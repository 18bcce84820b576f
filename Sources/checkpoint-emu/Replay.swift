import CheckpointCLI
import CrossingCore
import CrossingEmulation
import CrossingSimulation
import Foundation

/// `checkpoint-emu replay`: a frame file through the emulated device.
enum Replay {
    static let help = """
        usage: checkpoint-emu replay --frames FILE [--json]

        Runs the emulated device on a recorded frame file (Hardware/frame-format.md), the lane
        set up as the file's header describes it, and prints its totals. A truncated or
        corrupt record stops the replay with an error naming its byte offset (exit 1); the
        frames before it are counted and printed.

          --frames FILE   frame file, as 'checkpoint-emu record' writes it
          --json          the totals as one JSON object
        """

    static func main(_ argumentList: [String]) {
        let (arguments, path) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["frames"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            guard let frames = arguments.value("frames") else { throw UsageError("--frames FILE is required") }
            return frames
        }
        guard let data = FileManager.default.contents(atPath: path) else { Terminal.fail(program, "\(path): cannot read") }
        var reader: FrameFileReader
        do throws(FrameFileError) {
            reader = try FrameFileReader(bytes: [UInt8](data))
        } catch {
            Terminal.fail(program, "\(path): \(error)")
        }
        let rateHz = Double(reader.header.frameRateMilliHz) / 1000
        var board: EmulatedBoard<SplitMix64>
        do {
            board = try EmulatedBoard(config: reader.header.laneConfig, frameRateHz: rateHz, random: SplitMix64(seed: 1))
        } catch {
            Terminal.fail(program, "the device did not boot: \(error)")
        }
        installInterruptHandler()
        var zones: [ZoneReading] = []
        var frames = 0
        var failure: String?
        var progress = ProgressLine(total: Double(data.count), unit: "B")
        do throws(FrameFileError) {
            while !interruptRequested.load(ordering: .relaxed), let header = try reader.next(into: &zones) {
                do {
                    try board.deliver(header: header, zones: zones.span)
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
            print(DeviceTotals.json(board, frames: frames, extra: [("frames_file", .string(path))]).rendered())
        } else {
            print(DeviceTotals.table(board, frames: frames))
        }
        if let failure { Terminal.fail(program, failure) }
        exitIfInterrupted()
    }
}
