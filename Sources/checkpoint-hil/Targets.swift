import CheckpointCLI
import CrossingEmulation
import CrossingFirmware
import Foundation

/// What one run of a fixture on a target gave.
struct TargetRun {
    var output: [UInt8]
    /// Why the run itself failed (a crash, a timeout, a refused message), apart from its output.
    var failure: String?
    /// Guest instructions executed, when counted.
    var instructions: UInt64?
}

/// A rig the runner can run fixtures on.
protocol Target {
    var name: String { get }
    func run(frames: [UInt8]) -> TargetRun
}

/// The Linux emulator, in this process: `LinuxRig`.
struct LinuxTarget: Target {
    var name: String { "linux" }

    func run(frames: [UInt8]) -> TargetRun {
        TargetRun(output: LinuxRig.run(frames: frames).output)
    }
}

/// The firmware image on QEMU's mps2-an386, the frames handed over by semihosting.
struct QEMUTarget: Target {
    let image: String
    let qemu: String
    let timeoutS: Double
    /// The instruction-counting TCG plugin (Hardware/boards/mps2-an386/qemu-plugin), if used.
    let plugin: String?
    var name: String { "qemu" }

    func run(frames: [UInt8]) -> TargetRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hil-\(getpid())-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let framesFile = directory.appendingPathComponent("fixture.frames")
        let countFile = directory.appendingPathComponent("instructions.txt")
        do {
            try Data(frames).write(to: framesFile)
        } catch {
            return TargetRun(output: [], failure: "cannot write \(framesFile.path): \(error.localizedDescription)")
        }
        var arguments = ["-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none", "-kernel", image,
                         "-semihosting-config", "enable=on,target=native,arg=firmware,arg=\(framesFile.path.replacingOccurrences(of: ",", with: ",,"))"]
        if let plugin { arguments += ["-plugin", "\(plugin),out=\(countFile.path)"] }
        let result = runProcess(qemu, arguments, in: directory, timeoutS: timeoutS)
        var run = TargetRun(output: result.stdout)
        if let failure = result.failure {
            run.failure = failure
        } else if result.status == 70 {
            run.failure = "the firmware faulted (exit 70): \(String(decoding: result.stderr, as: UTF8.self))"
        } else if result.status > 1 {
            run.failure = "qemu exited \(result.status): \(String(decoding: result.stderr, as: UTF8.self))"
        }
        if plugin != nil {
            let text = (try? String(contentsOf: countFile, encoding: .utf8)) ?? ""
            run.instructions = text.split(separator: "\n").first.flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            if run.instructions == nil && run.failure == nil { run.failure = "the plugin wrote no count to \(countFile.path)" }
        }
        return run
    }
}

/// What a child process gave: its stdout and stderr, its exit status, or why it did not end.
struct ProcessResult {
    var stdout: [UInt8]
    var stderr: [UInt8]
    var status: Int32
    var failure: String?
}

/// Runs `executable` with `arguments`, its output to files in `directory`, killing it after
/// `timeoutS`.
func runProcess(_ executable: String, _ arguments: [String], in directory: URL, timeoutS: Double) -> ProcessResult {
    let outURL = directory.appendingPathComponent("stdout")
    let errURL = directory.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    do {
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    } catch {
        return ProcessResult(stdout: [], stderr: [], status: -1, failure: "cannot run \(executable): \(error.localizedDescription)")
    }
    let deadline = Date().addingTimeInterval(timeoutS)
    var failure: String?
    while process.isRunning {
        if Date() > deadline {
            failure = "timed out after \(Int(timeoutS)) s"
        } else if interruptRequested.load(ordering: .relaxed) {
            failure = "interrupted"
        }
        if failure != nil {
            process.terminate()
            break
        }
        usleep(2_000)
    }
    process.waitUntilExit()
    let stdout = (try? Data(contentsOf: outURL)).map { [UInt8]($0) } ?? []
    let stderr = (try? Data(contentsOf: errURL)).map { [UInt8]($0) } ?? []
    return ProcessResult(stdout: stdout, stderr: stderr, status: process.terminationStatus, failure: failure)
}
