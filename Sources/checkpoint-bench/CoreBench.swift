import AllocationCounter
import CheckpointCLI
import CrossingCore
import CrossingSimulation
import Foundation

/// `checkpoint-bench core`: nanoseconds per frame of one lane's core, over a pre-rendered
/// synthetic stream of walkers and bicycles both ways, so that only the core is timed.
enum CoreBench {
    static let help = """
        usage: checkpoint-bench core [--seed N] [--frames N] [--runs N] [--json]

        Renders a synthetic mixed stream (walkers, some in pairs, and bicycles both ways,
        noise 15 mm) once,
        then times the counting core over it and counts heap allocations while it runs.

          --seed N     scene seed (default 1)
          --frames N   frames per timed run (default 2000000)
          --runs N     timed runs; the median is reported with the spread (default 5)
          --json       one JSON object: ns_per_frame, frames_per_s, allocations,
                       lane_state_bytes, ns_per_frame_two_zone (ST's two-zone baseline on
                       the same frames), and the 4x4 and spread figures
        """

    struct Figures {
        var nsPerFrame: [Double] = []
        /// ST's two-zone baseline over the same frames.
        var twoZoneNsPerFrame = 0.0
        var allocations = 0
        var crossings: UInt64 = 0

        var median: Double { nsPerFrame.sorted()[nsPerFrame.count / 2] }
    }

    static func main(_ argumentList: [String]) {
        let (arguments, (seed, frames, runs)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["seed", "frames", "runs"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            (try arguments.unsigned("seed") ?? 1,
             try arguments.integer("frames", in: 1000...1_000_000_000) ?? 2_000_000,
             try arguments.integer("runs", in: 1...100) ?? 5)
        }
        #if DEBUG
        Terminal.error("\(program): warning: debug build; run with 'swift run -c release' for real figures")
        #endif
        installInterruptHandler()
        let grid8 = measure(side: 8, seed: seed, frames: frames, runs: runs)
        let grid4 = measure(side: 4, seed: seed, frames: frames, runs: runs)
        let stateBytes = MemoryLayout<DepthLaneCounter>.size
        if arguments.flag("json") {
            print(JSONValue.object([
                ("ns_per_frame", .number(rounded(grid8.median))),
                ("frames_per_s", .number((1e9 / grid8.median).rounded())),
                ("allocations", .integer(Int64(grid8.allocations + grid4.allocations))),
                ("lane_state_bytes", .integer(Int64(stateBytes))),
                ("ns_per_frame_min", .number(rounded(grid8.nsPerFrame.min() ?? 0))),
                ("ns_per_frame_max", .number(rounded(grid8.nsPerFrame.max() ?? 0))),
                ("ns_per_frame_two_zone", .number(rounded(grid8.twoZoneNsPerFrame))),
                ("ns_per_frame_4x4", .number(rounded(grid4.median))),
                ("frames_per_s_4x4", .number((1e9 / grid4.median).rounded())),
                ("frames_per_run", .integer(Int64(frames))),
                ("runs", .integer(Int64(grid8.nsPerFrame.count))),
                ("crossings_counted", .integer(Int64(grid8.crossings))),
            ]).rendered())
            exitIfInterrupted()
            return
        }
        let rows = [grid8, grid4].enumerated().map { index, figures in
            [index == 0 ? "8x8" : "4x4", String(format: "%.1f", figures.median),
             String(format: "%.1f-%.1f", figures.nsPerFrame.min() ?? 0, figures.nsPerFrame.max() ?? 0),
             String(format: "%.2f M", 1e3 / figures.median), "\(figures.allocations)", String(format: "%.1f", figures.twoZoneNsPerFrame)]
        }
        print(renderTable(headers: ["grid", "ns/frame", "spread", "frames/s", "allocations", "two-zone ns/frame"], rows: rows))
        print("lane state: \(stateBytes) bytes; \(grid8.nsPerFrame.count) runs of \(frames) frames each")
        exitIfInterrupted()
    }

    static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    /// Renders ten minutes of the stream, then times `runs` passes of `frames` frames over it.
    static func measure(side: Int, seed: UInt64, frames: Int, runs: Int) -> Figures {
        let scenario = benchScenario(side: side)
        var source = LaneFrames(scenario: scenario, laneIndex: 0, seed: seed, durationS: 570)
        var frame = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: side * side)
        var zones: [ZoneReading] = []
        while source.timeS < 600, source.next(into: &frame) != nil { zones += frame }
        let lane = scenario.lanes[0]
        // The lane is valid by construction; a ConfigError here is a bug.
        var driver = Driver(counter: try! DepthLaneCounter(config: lane.laneConfig), zones: zones, side: side)
        var figures = Figures()
        figures.twoZoneNsPerFrame = timeTwoZone(zones: zones, side: side, frames: frames)
        driver.run(driver.frameCount)  // warm-up: learn the floor, fault in the pages
        let countedBefore = driver.counter.grandTotal
        for _ in 0..<runs where !interruptRequested.load(ordering: .relaxed) {
            let allocationsBefore = allocation_counter_thread_allocations()
            let start = DispatchTime.now().uptimeNanoseconds
            driver.run(frames)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            figures.allocations += allocation_counter_thread_allocations() - allocationsBefore
            figures.nsPerFrame.append(Double(elapsed) / Double(frames))
        }
        let counter = driver.counter
        figures.crossings = counter.grandTotal - countedBefore
        return figures
    }

    /// The two-zone baseline over the same frames, one run: it is a few comparisons a frame.
    static func timeTwoZone(zones: [ZoneReading], side: Int, frames: Int) -> Double {
        var baseline = TwoZoneCounter()
        let zoneCount = side * side
        let available = zones.count / zoneCount
        var counted = 0
        let start = DispatchTime.now().uptimeNanoseconds
        zones.withUnsafeBufferPointer { buffer in
            for index in 0..<frames {
                let frame = index % available
                let slice = UnsafeBufferPointer(rebasing: buffer[(frame * zoneCount)..<((frame + 1) * zoneCount)])
                if baseline.process(zones: Span(_unsafeElements: slice), side: side) { counted += 1 }
            }
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        // Using the count keeps the loop from being optimised away.
        return Double(elapsed) / Double(frames) + (counted < 0 ? 1 : 0)
    }

    /// A busy two-way walkway: 1,500 walkers and 150 bicycles an hour, some in pairs.
    static func benchScenario(side: Int) -> Scenario {
        let json = """
            {"name": "bench-walkway", "site": "bench", "lanes": [{"name": "walkway", "kind": "walkway",
             "width_m": 3.0, "length_m": 12, "sensor": {"mount_height_m": 4.0, "grid": \(side), "frame_rate_hz": 15},
             "traffic": [
               {"class": "pedestrian", "direction": "outbound", "per_hour": 900, "group_sizes": [0.8, 0.2]},
               {"class": "pedestrian", "direction": "inbound", "per_hour": 600},
               {"class": "bicycle", "direction": "outbound", "per_hour": 90},
               {"class": "bicycle", "direction": "inbound", "per_hour": 60}]}]}
            """
        // A fixed, valid document: failing to parse it is a bug.
        return try! Scenario.parse(data: Data(json.utf8), file: "bench")
    }

    /// Feeds the pre-rendered frames round and round with fresh headers. A struct, not a
    /// closure over locals, so the timed loop carries no dynamic exclusivity checks.
    struct Driver {
        var counter: DepthLaneCounter
        var scratch = DepthScratch()
        let zones: [ZoneReading]
        let side: Int
        var sequence: UInt32 = 0
        var timeUs: UInt64 = 1

        var frameCount: Int { zones.count / (side * side) }

        init(counter: DepthLaneCounter, zones: [ZoneReading], side: Int) {
            self.counter = counter
            self.zones = zones
            self.side = side
        }

        mutating func run(_ count: Int) {
            let zoneCount = side * side
            let frames = frameCount
            let header = UInt8(side)
            zones.withUnsafeBufferPointer { buffer in
                for index in 0..<count {
                    let frame = index % frames
                    let slice = UnsafeBufferPointer(rebasing: buffer[(frame * zoneCount)..<((frame + 1) * zoneCount)])
                    let span = Span(_unsafeElements: slice)
                    let frameHeader = FrameHeader(sequence: sequence, timestampUs: timeUs, side: header)
                    do {
                        try counter.process(header: frameHeader, zones: span, scratch: &scratch)
                    } catch {
                        Terminal.fail(program, "frame \(index) refused: \(error)")
                    }
                    while counter.popClosedBin() != nil {}
                    sequence &+= 1
                    timeUs &+= 66_667
                }
            }
        }
    }
}
