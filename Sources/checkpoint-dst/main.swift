import CheckpointCLI
import Dispatch
import Foundation
import Synchronization

let program = "checkpoint-dst"
let help = """
    usage: checkpoint-dst [--seed N | --seeds A-B] [--devices K] [--duration SECONDS]
                          [--faults KINDS] [--json]

    Deterministic simulation of the whole system: K counting devices (the firmware on emulated
    parts, each counting a scene) and the collector's ingest and storage, in one process on one
    virtual clock. Each seed draws its faults: on the link loss, delay, duplication, reordering
    and partitions of minutes to hours; collector crashes that lose what was not synced and tear
    the log's tail, and collector power cuts that keep only what the store made durable (a page
    cache in front of its disk); device power cuts at a flash operation, torn or whole, watchdog
    resets, units replaced by blank ones under the same id, sensor bus faults and dropped frames;
    steps of the wall clock. Phase 1 runs with the faults, phase 2
    heals them and runs until every outbox is empty. Then the collector must hold exactly every
    device's totals per lane, class and direction: none lost, none stored twice. Bounds on the
    outbox, the link and the collector's buffers are checked at every step.

      --seed N            one seed
      --seeds A-B         every seed from A to B (default 1-20)
      --devices K         devices per run, 1-8 (default 3)
      --duration SECONDS  simulated seconds of phase 1 (default 7200)
      --faults KINDS      the kinds of fault drawn, comma-separated, or all (default) or none:
                          loss, duplicate, stale, delay, partition (the link); crash,
                          collector-power (the collector); power, reset, replace, bus, drop
                          (the devices); clock
      --json              one JSON object: seeds, failures (seed, reason, faults, replay),
                          wall_s, seeds_per_s, and per seed its digest
    A failure prints its seed, its faults and the command that replays it; the same seed gives
    the same digest, byte for byte. Seeds run on every core.

    Exit: 0 every seed passed, 1 a seed failed, 2 bad usage.
    """

struct Options {
    var seeds: ClosedRange<UInt64>
    var devices: Int
    var durationS: Double
    var faults: Set<String>
    var faultsText: String
}

let (arguments, options) = Command.parse(
    Array(CommandLine.arguments.dropFirst()), program: program, help: help,
    valueOptions: ["seed", "seeds", "devices", "duration", "faults"], flagOptions: ["json"]
) { arguments throws(UsageError) in
    var seeds: ClosedRange<UInt64> = 1...20
    if let seed = try arguments.unsigned("seed") {
        guard arguments.value("seeds") == nil else { throw UsageError("give --seed or --seeds, not both") }
        seeds = seed...seed
    } else if let text = arguments.value("seeds") {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = UInt64(parts[0]), let last = UInt64(parts[1]), first <= last else {
            throw UsageError("--seeds must be A-B with A <= B, got '\(text)'")
        }
        seeds = first...last
    }
    let faultsText = arguments.value("faults") ?? "all"
    var faults = Set(FaultPlan.kinds)
    if faultsText == "none" {
        faults = []
    } else if faultsText != "all" {
        faults = Set(faultsText.split(separator: ",").map(String.init))
        if let unknown = faults.subtracting(FaultPlan.kinds).sorted().first {
            throw UsageError("--faults: unknown kind '\(unknown)'; the kinds are \(FaultPlan.kinds.joined(separator: ", "))")
        }
    }
    return Options(
        seeds: seeds, devices: try arguments.integer("devices", in: 1...8) ?? 3,
        durationS: try arguments.number("duration", in: 60...864_000) ?? 7200, faults: faults, faultsText: faultsText)
}
installInterruptHandler()

let started = Date()
let seeds = Array(options.seeds)
let outcomes = Mutex<[Simulation.Outcome?]>(Array(repeating: nil, count: seeds.count))
let next = Atomic<Int>(0)
let done = Atomic<Int>(0)
let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, seeds.count))
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-dst-\(getpid())").path

DispatchQueue.global().async {
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while !interruptRequested.load(ordering: .relaxed) {
            let index = next.add(1, ordering: .relaxed).oldValue
            guard index < seeds.count else { return }
            let simulation = Simulation(
                seed: seeds[index], devices: options.devices, durationS: options.durationS, faultKinds: options.faults,
                directory: scratch + "/seed-\(seeds[index])")
            let outcome = simulation.run()
            outcomes.withLock { $0[index] = outcome }
            done.add(1, ordering: .relaxed)
        }
    }
}
var progress = ProgressLine(total: Double(seeds.count), unit: "seeds")
while done.load(ordering: .relaxed) < seeds.count && !interruptRequested.load(ordering: .relaxed) {
    progress.update(done: Double(done.load(ordering: .relaxed)), detail: "\(done.load(ordering: .relaxed)) of \(seeds.count) seeds")
    usleep(100_000)
}
// An interrupted run stops its simulations within a step; wait for them.
while interruptRequested.load(ordering: .relaxed) && done.load(ordering: .relaxed) < min(next.load(ordering: .relaxed), seeds.count) {
    usleep(10_000)
}
progress.finish()
try? FileManager.default.removeItem(atPath: scratch)

let wallS = Date().timeIntervalSince(started)
let finished = outcomes.withLock { $0.compactMap { $0 } }.filter { $0.failure != "interrupted" }
let failures = finished.filter { $0.failure != nil }
func replay(_ seed: UInt64) -> String {
    "swift run -c release checkpoint-dst --seed \(seed) --devices \(options.devices) --duration \(Int(options.durationS))"
        + (options.faultsText == "all" ? "" : " --faults \(options.faultsText)")
}

if arguments.flag("json") {
    let json = JSONValue.object([
        ("seeds", .number(Double(finished.count))),
        ("failures", .array(failures.map { outcome in
            .object([
                ("seed", .number(Double(outcome.seed))), ("reason", .string(outcome.failure ?? "")),
                ("faults", .string(outcome.faults)), ("replay", .string(replay(outcome.seed))),
            ])
        })),
        ("wall_s", .number((wallS * 1000).rounded() / 1000)),
        ("seeds_per_s", .number((Double(finished.count) / max(wallS, 1e-9) * 100).rounded() / 100)),
        ("digests", .array(finished.map { .object([("seed", .number(Double($0.seed))), ("digest", .string(String($0.digest, radix: 16)))]) })),
    ])
    print(json.rendered())
} else {
    let shown = finished.count <= 20 ? finished : failures
    if !shown.isEmpty {
        print(renderTable(
            headers: ["seed", "result", "frames", "batches", "repeats", "collector crashes", "device reboots", "digest"],
            rows: shown.map { outcome in
                [
                    String(outcome.seed), outcome.failure == nil ? "pass" : "FAIL", String(outcome.frames),
                    String(outcome.batchesStored), String(outcome.batchesRepeated), String(outcome.collectorCrashes),
                    String(outcome.deviceReboots), String(outcome.digest, radix: 16),
                ]
            }))
    }
    for outcome in failures {
        print("seed \(outcome.seed) FAILED: \(outcome.failure ?? "")")
        print("  faults: \(outcome.faults)")
        print("  replay: \(replay(outcome.seed))")
    }
    print(String(format: "%d seeds, %d failed, %.1f s wall, %.2f seeds/s", finished.count, failures.count, wallS, Double(finished.count) / max(wallS, 1e-9)))
}
if interruptRequested.load(ordering: .relaxed) { exit(130) }
exit(failures.isEmpty ? 0 : 1)
