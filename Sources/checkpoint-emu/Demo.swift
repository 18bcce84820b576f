import CheckpointCLI
import CrossingCore
import CrossingSimulation
import Foundation

/// `checkpoint-emu demo`: a walkway and a road lane of a checkpoint, simulated with ground truth,
/// counted by the core, reported side by side.
enum Demo {
    static let help = """
        usage: checkpoint-emu demo [--seed N] [--duration SECONDS] [--json]

        Simulates a checkpoint with a two-way walkway (pedestrians, bicycles) and an outbound road
        lane (cars, buses, trucks with trailers), counts every frame with the counting core at
        maximum speed, and prints truth, counted and error per lane, class and direction.

          --seed N            seed for the scene (default 1); the same seed gives the same output
          --duration SECONDS  simulated time (default 3600)
          --json              print one JSON object instead of the table
        """

    static func main(_ argumentList: [String]) {
        let arguments: Arguments
        let seed: UInt64
        let durationS: Double
        do throws(UsageError) {
            if argumentList.contains("--help") || argumentList.contains("-h") {
                print(help)
                return
            }
            arguments = try Arguments(argumentList, valueOptions: ["seed", "duration"], flagOptions: ["json"])
            if let extra = arguments.positional.first { throw UsageError("unexpected argument '\(extra)'") }
            seed = try arguments.unsigned("seed") ?? 1
            durationS = try arguments.number("duration", in: 60...(7 * 86_400)) ?? 3600
        } catch {
            Terminal.fail(program, error.message, usage: true)
        }
        installInterruptHandler()
        var runs = makeLanes(seed: seed, durationS: durationS)
        let started = Date()
        var progress = ProgressLine(total: durationS, unit: "sim-s")
        var simulatedS = 0.0
        while simulatedS < durationS && !interruptRequested.load(ordering: .relaxed) {
            simulatedS = min(simulatedS + 10, durationS)
            for index in runs.indices { runs[index].run.advance(untilS: simulatedS) }
            let counted = runs.reduce(0) { $0 + $1.run.counter.grandTotal }
            progress.update(done: simulatedS, detail: "sim \(Int(simulatedS))s  counted \(counted)")
        }
        progress.finish()
        let wallS = Date().timeIntervalSince(started)
        let report = DemoReport(seed: seed, durationS: simulatedS, wallS: wallS, runs: runs,
                                interrupted: interruptRequested.load(ordering: .relaxed))
        print(arguments.flag("json") ? report.json().rendered() : report.table())
    }

    /// The two lanes, with rates in the range the field figures give for a busy crossing
    /// (docs/scenario.md will carry the derivations once scenarios are files).
    static func makeLanes(seed: UInt64, durationS: Double) -> [(name: String, lane: SyntheticLane, run: LaneRun)] {
        var random = SplitMix64(seed: seed)
        // Arrivals stop 60 s before the end so every object has left the view when truth is taken.
        let arrivalsS = max(durationS - 60, 0)
        let walkway = SyntheticLane(
            name: "walkway", mountHeightM: 4.0, frameRateHz: 15, widthM: 3.0,
            mix: TrafficMix(perHour: [.pedestrian: (400, 60), .bicycle: (40, 6)]),
            durationS: arrivalsS, random: &random)
        let road = SyntheticLane(
            name: "road", mountHeightM: 8.0, frameRateHz: 15, widthM: 3.5,
            mix: TrafficMix(perHour: [.car: (60, 0), .bus: (6, 0)]),
            durationS: arrivalsS, random: &random)
        return [walkway, road].enumerated().map { index, lane in
            // The lanes are built from valid defaults, so a ConfigError here is a bug.
            let run = try! LaneRun(lane: lane, seed: seed &+ UInt64(index))
            return (lane.name, lane, run)
        }
    }
}

/// The demo's result: counted against truth per lane, class and direction.
struct DemoReport {
    struct Row {
        let lane: String
        let crossingClass: CrossingClass
        let direction: Direction
        let truth: Int
        let counted: UInt64
    }

    let seed: UInt64
    let durationS: Double
    let wallS: Double
    let rows: [Row]
    let health: [(String, Health, Int)]
    let interrupted: Bool

    init(seed: UInt64, durationS: Double, wallS: Double, runs: [(name: String, lane: SyntheticLane, run: LaneRun)], interrupted: Bool) {
        self.seed = seed
        self.durationS = durationS
        self.wallS = wallS
        self.interrupted = interrupted
        var rows: [Row] = []
        for entry in runs {
            let truth = entry.lane.truth(untilS: durationS)
            for crossingClass in [CrossingClass.pedestrian, .bicycle, .car, .bus] {
                for direction in [Direction.outbound, .inbound] {
                    let cell = truth[crossingClass] ?? (0, 0)
                    let truthCount = direction == .outbound ? cell.outbound : cell.inbound
                    let counted = entry.run.counter.total(crossingClass, direction)
                    if truthCount == 0 && counted == 0 { continue }
                    rows.append(Row(lane: entry.name, crossingClass: crossingClass, direction: direction,
                                    truth: truthCount, counted: counted))
                }
            }
        }
        self.rows = rows
        health = runs.map { ($0.name, $0.run.counter.health, $0.run.binsClosed) }
    }

    func table() -> String {
        let body = rows.map { row -> [String] in
            let error = row.truth == 0 ? "-" : String(format: "%+.1f%%", 100 * (Double(row.counted) - Double(row.truth)) / Double(row.truth))
            return [row.lane, "\(row.crossingClass.name)", "\(row.direction.name)", "\(row.truth)", "\(row.counted)", error]
        }
        let truthTotal = rows.reduce(0) { $0 + $1.truth }
        let countedTotal = rows.reduce(0) { $0 + Int($1.counted) }
        var out = "checkpoint-emu demo: seed \(seed), \(Int(durationS)) simulated s in \(String(format: "%.1f", wallS)) s wall"
        out += interrupted ? " (interrupted)\n\n" : "\n\n"
        out += renderTable(headers: ["lane", "class", "direction", "truth", "counted", "error"], rows: body)
        out += "\n\ntotal: truth \(truthTotal), counted \(countedTotal)\n"
        for (lane, health, bins) in health {
            out += "\(lane): \(health.framesProcessed) frames, \(bins) bins closed, \(health.framesRejected) rejected, "
            out += "\(health.objectsDropped) objects dropped, \(health.tracksFull) tracks full\n"
        }
        return out
    }

    func json() -> JSONValue {
        .object([
            ("scenario", .string("built-in demo")),
            ("seed", .integer(Int64(seed))),
            ("duration_s", .number(durationS)),
            ("interrupted", .bool(interrupted)),
            ("rows", .array(rows.map { row in
                .object([
                    ("lane", .string(row.lane)),
                    ("class", .string("\(row.crossingClass.name)")),
                    ("direction", .string("\(row.direction.name)")),
                    ("truth", .integer(Int64(row.truth))),
                    ("counted", .integer(Int64(row.counted))),
                ])
            })),
            ("health", .object(health.map { lane, health, bins in
                (lane, .object([
                    ("frames", .integer(Int64(health.framesProcessed))),
                    ("bins_closed", .integer(Int64(bins))),
                    ("frames_rejected", .integer(Int64(health.framesRejected))),
                    ("sequence_gaps", .integer(Int64(health.sequenceGaps))),
                    ("invalid_zones", .integer(Int64(health.invalidZones))),
                    ("objects_dropped", .integer(Int64(health.objectsDropped))),
                    ("tracks_full", .integer(Int64(health.tracksFull))),
                ]))
            })),
        ])
    }
}
