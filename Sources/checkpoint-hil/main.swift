import CheckpointCLI
import CrossingEmulation
import CrossingFirmware
import Foundation

let program = "checkpoint-hil"
let help = """
    usage: checkpoint-hil [--target linux|qemu|serial:DEVICE] [--image FILE] [--instructions]
                          [--timeout SECONDS] [--bless] [--json] [FIXTURE...]

    Runs HIL fixtures (Hardware/fixtures/NAME.frames and NAME.expected) on one target, compares
    each output with the expected bytes, and prints pass or fail per fixture and a last line
    'N passed, N failed'. Tools/hil-run builds what a target needs and calls this.

      --target T         linux: the emulator, in this process (default)
                         qemu: the firmware image on qemu-system-arm -M mps2-an386
                         serial:DEVICE: a device speaking Hardware/hil-protocol.md on DEVICE,
                         such as 'checkpoint-emu hil-serve --pty'
      --image FILE       the firmware for qemu (default .build-firmware/mps2-an386/firmware.elf)
      --instructions     qemu: count guest instructions (the TCG plugin next to the image) and
                         print instructions per record, over a run of the header alone
      --timeout SECONDS  longest a fixture may take (default 300)
      --bless            write each output as the fixture's expected output instead of comparing
      --json             one JSON object: target, fixtures (name, passed, seconds, records,
                         difference, instructions_per_record), passed, failed
      FIXTURE            a name in Hardware/fixtures or a path to a .frames file (default: all)

    Exit: 0 every fixture passed, 1 one failed, 2 bad usage.
    """

let (arguments, (targetName, timeoutS)) = Command.parse(
    Array(CommandLine.arguments.dropFirst()), program: program, help: help,
    valueOptions: ["target", "image", "timeout"], flagOptions: ["instructions", "bless", "json"], operands: true
) { arguments throws(UsageError) in
    let target = arguments.value("target") ?? "linux"
    guard target == "linux" || target == "qemu" || (target.hasPrefix("serial:") && target.count > 7) else {
        throw UsageError("--target must be linux, qemu or serial:DEVICE, got '\(target)'")
    }
    if arguments.flag("instructions") && target != "qemu" { throw UsageError("--instructions needs --target qemu") }
    return (target, try arguments.number("timeout", in: 1...86_400) ?? 300)
}
installInterruptHandler()

let image = arguments.value("image") ?? ".build-firmware/mps2-an386/firmware.elf"
let target: any Target
switch targetName {
case "linux":
    target = LinuxTarget()
case "qemu":
    guard FileManager.default.fileExists(atPath: image) else {
        Terminal.fail(program, "\(image): no firmware image; build it with Tools/build-firmware")
    }
    let plugin = URL(fileURLWithPath: image).deletingLastPathComponent().appendingPathComponent("insn-count.so").path
    if arguments.flag("instructions") && !FileManager.default.fileExists(atPath: plugin) {
        Terminal.fail(program, "\(plugin): no instruction-counting plugin; Tools/build-firmware builds it")
    }
    target = QEMUTarget(
        image: image, qemu: "/usr/bin/qemu-system-arm", timeoutS: timeoutS, plugin: arguments.flag("instructions") ? plugin : nil)
default:
    target = SerialTarget(device: String(targetName.dropFirst("serial:".count)), timeoutS: timeoutS)
}

let fixtures = arguments.operands.isEmpty ? Fixture.all() : arguments.operands.map(Fixture.init)
if fixtures.isEmpty { Terminal.fail(program, "no fixtures in \(Fixture.directory)") }
let json = arguments.flag("json")
var passed = 0
var failed = 0
var reports: [JSONValue] = []
for fixture in fixtures {
    guard !interruptRequested.load(ordering: .relaxed) else { break }
    let started = Date()
    var difference: String?
    var perRecord: Double?
    var records = 0
    if let data = FileManager.default.contents(atPath: fixture.framesPath) {
        let frames = [UInt8](data)
        let run = target.run(frames: frames)
        difference = run.failure
        if let header = try? FrameFileHeader.decode(frames.span) {
            records = (frames.count - FrameFileHeader.bytes) / header.recordBytes
            if let total = run.instructions, difference == nil, records > 0 {
                let empty = target.run(frames: Array(frames[0..<FrameFileHeader.bytes]))
                if let base = empty.instructions { perRecord = Double(total - min(total, base)) / Double(records) }
            }
        }
        if difference == nil {
            if arguments.flag("bless") {
                do {
                    try Data(run.output).write(to: URL(fileURLWithPath: fixture.expectedPath))
                } catch {
                    difference = "\(fixture.expectedPath): \(error.localizedDescription)"
                }
            } else if let expected = FileManager.default.contents(atPath: fixture.expectedPath) {
                difference = firstDifference(expected: [UInt8](expected), got: run.output)
            } else {
                difference = "\(fixture.expectedPath): cannot read the expected output"
            }
        }
    } else {
        difference = "\(fixture.framesPath): cannot read"
    }
    let seconds = Date().timeIntervalSince(started)
    if difference == nil { passed += 1 } else { failed += 1 }
    let verdict = difference == nil ? (arguments.flag("bless") ? "BLESSED" : "PASS") : "FAIL"
    var report: [(String, JSONValue)] = [
        ("name", .string(fixture.name)), ("passed", .bool(difference == nil)), ("seconds", .number(seconds)),
        ("records", .integer(Int64(records))), ("difference", difference.map { .string($0) } ?? .null),
    ]
    if let perRecord { report.append(("instructions_per_record", .number(perRecord))) }
    reports.append(.object(report))
    if !json {
        var line = "\(verdict)  \(fixture.name)  (\(records) records, \(String(format: "%.2f", seconds)) s"
        if let perRecord { line += ", \(Int(perRecord.rounded())) instructions per record" }
        line += ")"
        if let difference { line += "\n      \(difference)" }
        print(line)
        fflush(nil)
    }
}
if json {
    print(JSONValue.object([
        ("target", .string(target.name)), ("fixtures", .array(reports)), ("passed", .integer(Int64(passed))),
        ("failed", .integer(Int64(failed))),
    ]).rendered())
} else {
    print("\(passed) passed, \(failed) failed")
}
exitIfInterrupted()
exit(failed == 0 ? 0 : 1)
