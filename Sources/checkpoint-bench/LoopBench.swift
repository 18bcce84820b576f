import AllocationCounter
import CheckpointCLI
import CrossingCore
import CrossingSimulation
import Foundation

/// `checkpoint-bench loops`: nanoseconds per scan of one loop pair's detector, over scans
/// pre-rendered from `Hardware/scenarios/suite/loop-free-flow.json`, so only the detector is timed.
enum LoopBench {
    static let help = """
        usage: checkpoint-bench loops [--seed N] [--runs N] [--json]

        Renders an hour of the loop-free-flow suite scenario's outbound lane once (720,000
        scans at 200 Hz), then times the loop-pair detector over it and counts heap
        allocations while it runs.

          --seed N   scene seed (default 1)
          --runs N   timed runs; the median is reported with the spread (default 5)
          --json     one JSON object: ns_per_sample, samples_per_s, allocations,
                     state_bytes, ns_per_sample_min, ns_per_sample_max
        """

    static func main(_ argumentList: [String]) {
        let (arguments, (seed, runs)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["seed", "runs"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            (try arguments.unsigned("seed") ?? 1, try arguments.integer("runs", in: 1...100) ?? 5)
        }
        #if DEBUG
        Terminal.error("\(program): warning: debug build; run with 'swift run -c release' for real figures")
        #endif
        installInterruptHandler()
        let path = "Hardware/scenarios/suite/loop-free-flow.json"
        let scenario: Scenario
        do { scenario = try Scenario.load(path: path) } catch { Terminal.fail(program, "\(error)") }
        var samples = LoopSamples(scenario: scenario, laneIndex: 0, seed: seed, durationS: 3600)
        var scans: [LoopScan] = []
        while scans.count < 720_000, let scan = samples.next() { scans.append(scan) }
        var nsPerSample: [Double] = []
        var allocations = 0
        var vehicles: UInt64 = 0
        for _ in 0..<runs where !interruptRequested.load(ordering: .relaxed) {
            guard var detector = try? LoopPairDetector(config: scenario.lanes[0].loopConfig) else { return }
            let before = allocation_counter_thread_allocations()
            let start = DispatchTime.now().uptimeNanoseconds
            for scan in scans {
                _ = try? detector.process(header: scan.header, a: scan.a, b: scan.b)
                while detector.popClosedBin() != nil {}
            }
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            allocations += allocation_counter_thread_allocations() - before
            nsPerSample.append(Double(elapsed) / Double(scans.count))
            vehicles = detector.grandTotal
        }
        exitIfInterrupted()
        let median = nsPerSample.sorted()[nsPerSample.count / 2]
        let stateBytes = MemoryLayout<LoopPairDetector>.size
        if arguments.flag("json") {
            print(JSONValue.object([
                ("ns_per_sample", .number((median * 10).rounded() / 10)),
                ("samples_per_s", .number((1e9 / median).rounded())),
                ("allocations", .integer(Int64(allocations))),
                ("state_bytes", .integer(Int64(stateBytes))),
                ("ns_per_sample_min", .number(((nsPerSample.min() ?? 0) * 10).rounded() / 10)),
                ("ns_per_sample_max", .number(((nsPerSample.max() ?? 0) * 10).rounded() / 10)),
                ("scans_per_run", .integer(Int64(scans.count))),
                ("vehicles_counted", .integer(Int64(vehicles))),
            ]).rendered())
            return
        }
        print(renderTable(
            headers: ["ns/sample", "spread", "samples/s", "allocations", "state bytes"],
            rows: [[String(format: "%.1f", median),
                    String(format: "%.1f-%.1f", nsPerSample.min() ?? 0, nsPerSample.max() ?? 0),
                    String(format: "%.1f M", 1e3 / median), "\(allocations)", "\(stateBytes)"]]))
        print("\(nsPerSample.count) runs of \(scans.count) scans each, \(vehicles) vehicles counted per run")
    }
}
