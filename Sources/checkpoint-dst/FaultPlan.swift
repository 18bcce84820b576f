import CrossingSimulation

/// The faults one seed's run suffers, all drawn from the seed before the run starts, so that a
/// seed names its faults and replays them exactly.
struct FaultPlan {
    /// A stretch of simulated time, for one device or (device nil) for all.
    struct Window {
        var device: Int?
        var startS: Double
        var endS: Double
    }

    /// Per batch and per answer crossing the network, per mille: the connection breaks and the
    /// bytes on it are lost.
    var lossPermille: UInt64
    /// Per batch, per mille: the collector gets it twice (a retransmission).
    var duplicatePermille: UInt64
    /// Per batch, per mille: an older batch of the same device arrives again (reordering).
    var stalePermille: UInt64
    /// The longest an answer takes to reach the device.
    var answerDelayMaxMs: UInt64
    var partitions: [Window]
    /// Collector crashes: everything not synced is lost, the log's tail torn.
    var collectorCrashesS: [Double]
    /// Collector power cuts: the disk keeps what the store synced (`PageCacheFiles`).
    var collectorPowerCutsS: [Double]
    /// Device power cuts, each at a flash operation soon after its time, torn or whole.
    var powerCuts: [(device: Int, atS: Double, torn: Bool)]
    var watchdogResets: [(device: Int, atS: Double)]
    /// Sensor transfers that fail, a fraction.
    var busFaultRate: Double
    /// Frames the sensors drop, per mille.
    var frameDropPermille: UInt64
    /// Steps of the collector's wall clock, which the devices learn from its answers.
    var clockSteps: [(atS: Double, stepS: Int64)]
    /// Units replaced by a new one under the same id, with blank flash: what the old one had
    /// not sent is gone with it.
    var replacements: [(device: Int, atS: Double)]

    init(seed: UInt64, devices: Int, durationS: Double) {
        var random = SplitMix64(seed: seed ^ 0xD57_F4A7)
        func below(_ bound: UInt64) -> UInt64 { random.next() % bound }
        func time() -> Double { random.unit() * durationS }
        // Each kind of fault is on for some seeds and off for others, so that runs differ in
        // kind as well as in degree.
        func on() -> Bool { below(3) != 0 }
        lossPermille = on() ? below(80) : 0
        duplicatePermille = on() ? below(100) : 0
        stalePermille = on() ? below(100) : 0
        answerDelayMaxMs = on() ? below(20_000) : 0
        partitions = []
        if on() {
            for _ in 0..<(1 + below(3)) {
                // Minutes to hours, for one device or all.
                let lengthS = 60 + random.unit() * max(0, durationS * 0.6 - 60)
                let startS = random.unit() * max(1, durationS - lengthS)
                let device: Int? = below(2) == 0 ? nil : Int(below(UInt64(devices)))
                partitions.append(Window(device: device, startS: startS, endS: startS + lengthS))
            }
        }
        collectorCrashesS = on() ? (0..<(1 + below(4))).map { _ in time() }.sorted() : []
        powerCuts = on() ? (0..<(1 + below(4))).map { _ in (Int(below(UInt64(devices))), time(), below(2) == 0) } : []
        watchdogResets = on() ? (0..<(1 + below(3))).map { _ in (Int(below(UInt64(devices))), time()) } : []
        busFaultRate = on() ? random.unit() * 0.05 : 0
        frameDropPermille = on() ? below(30) : 0
        clockSteps = on() ? (0..<(1 + below(2))).map { _ in (time(), Int64(below(7200)) - 3600) } : []
        // Drawn last, so that the faults above stay what they were for each seed.
        replacements = on() ? (0..<(1 + below(2))).map { _ in (Int(below(UInt64(devices))), time()) } : []
        collectorPowerCutsS = on() ? (0..<(1 + below(3))).map { _ in time() }.sorted() : []
    }

    /// The kinds of fault, as `--faults` names them.
    static let kinds = [
        "loss", "duplicate", "stale", "delay", "partition", "crash", "collector-power", "power", "reset", "replace", "bus", "drop",
        "clock",
    ]

    /// Calls off every kind of fault but `kinds`, to find which kind a failure needs.
    mutating func keep(_ kinds: Set<String>) {
        if !kinds.contains("loss") { lossPermille = 0 }
        if !kinds.contains("duplicate") { duplicatePermille = 0 }
        if !kinds.contains("stale") { stalePermille = 0 }
        if !kinds.contains("delay") { answerDelayMaxMs = 0 }
        if !kinds.contains("partition") { partitions = [] }
        if !kinds.contains("crash") { collectorCrashesS = [] }
        if !kinds.contains("collector-power") { collectorPowerCutsS = [] }
        if !kinds.contains("power") { powerCuts = [] }
        if !kinds.contains("reset") { watchdogResets = [] }
        if !kinds.contains("bus") { busFaultRate = 0 }
        if !kinds.contains("drop") { frameDropPermille = 0 }
        if !kinds.contains("clock") { clockSteps = [] }
        if !kinds.contains("replace") { replacements = [] }
    }

    /// The plan in one line, for a failure report.
    var summary: String {
        let longestS = partitions.map { $0.endS - $0.startS }.max() ?? 0
        return "loss=\(lossPermille)‰ duplicate=\(duplicatePermille)‰ stale=\(stalePermille)‰ "
            + "answer_delay<=\(answerDelayMaxMs)ms partitions=\(partitions.count) (longest \(Int(longestS))s) "
            + "collector_crashes=\(collectorCrashesS.count) collector_power_cuts=\(collectorPowerCutsS.count) "
            + "power_cuts=\(powerCuts.count) "
            + "watchdog_resets=\(watchdogResets.count) replacements=\(replacements.count) "
            + "bus_faults=\(Int((busFaultRate * 1000).rounded()))‰ "
            + "frame_drops=\(frameDropPermille)‰ clock_steps=\(clockSteps.count)"
    }
}
