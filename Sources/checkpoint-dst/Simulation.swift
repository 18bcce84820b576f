import CheckpointCLI
import CrossingCollector
import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation

/// One seed's run: `devices` counting devices (CrossingFirmware on emulated parts, each fed a
/// scene) and the collector's ingest and storage, in one process on one virtual clock.
///
/// Phase 1 runs `durationS` simulated seconds under the seed's `FaultPlan`. Phase 2 heals every
/// fault, closes each device's open bins as a clean shutdown does, and runs until every outbox
/// is empty (or `quietMaxS` passes, a failure). Then every device's totals, per lane, class and
/// direction, must equal the collector's exactly: nothing lost, nothing stored twice.
struct Simulation {
    struct Outcome {
        var seed: UInt64
        var failure: String?
        /// A hash of the collector's final totals, the run's counters and how it ended: the same
        /// seed gives the same digest.
        var digest: UInt64
        var faults: String
        var frames = 0
        var batchesStored = 0
        var batchesRepeated = 0
        var collectorCrashes = 0
        var deviceReboots = 0
    }

    static let stepUs: UInt64 = 100_000
    static let healedStepUs: UInt64 = 1_000_000
    static let quietMaxS: Double = 12 * 3600
    /// Wall time when the run starts, ns since 1970: the collector's clock, before any step.
    static let epochNs: Int64 = 1_663_747_200_000_000_000
    /// The pipes' buffers stay within a request and its answer.
    static let pipeBytesMax = 64 << 10

    /// The scene every device counts: a walkway under a depth sensor and a road lane over a
    /// loop pair, sampled slowly so that hours of simulated time run in a second.
    static let scenarioJSON = """
        {"name": "dst", "site": "dst", "duration_s": 3600, "lanes": [
          {"name": "walkway", "kind": "walkway", "width_m": 2.4, "length_m": 12,
           "sensor": {"mount_height_m": 2.8, "grid": 8, "frame_rate_hz": 5},
           "traffic": [{"class": "pedestrian", "direction": "outbound", "per_hour": 90},
                       {"class": "pedestrian", "direction": "inbound", "per_hour": 60}]},
          {"name": "road", "kind": "road", "width_m": 3.5, "length_m": 80,
           "loops": {"length_m": 1.5, "spacing_m": 4.0, "sample_rate_hz": 20, "noise_ppm": 3},
           "traffic": [{"class": "car", "direction": "outbound", "per_hour": 90, "speed_mps": {"min": 3, "max": 8}},
                       {"class": "bus", "direction": "inbound", "per_hour": 10, "speed_mps": {"min": 3, "max": 6}}]}]}
        """

    let seed: UInt64
    let devices: Int
    let durationS: Double
    /// The kinds of fault the run may suffer (`FaultPlan.kinds`).
    let faultKinds: Set<String>
    let directory: String

    func run() -> Outcome {
        var plan = FaultPlan(seed: seed, devices: devices, durationS: durationS)
        plan.keep(faultKinds)
        var outcome = Outcome(seed: seed, digest: 0, faults: plan.summary)
        do {
            try simulate(plan: plan, outcome: &outcome)
        } catch {
            outcome.failure = "\(error)"
        }
        var digest = Digest()
        digest.add(outcome.digest)
        for value in [outcome.frames, outcome.batchesStored, outcome.batchesRepeated, outcome.collectorCrashes, outcome.deviceReboots] {
            digest.add(UInt64(value))
        }
        for byte in (outcome.failure ?? "").utf8 { digest.add(UInt64(byte)) }
        outcome.digest = digest.value
        try? FileManager.default.removeItem(atPath: directory)
        return outcome
    }

    /// Phase 1 under the plan's faults, phase 2 healed until every outbox is empty, then the
    /// totals compared.
    private func simulate(plan: FaultPlan, outcome: inout Outcome) throws {
        var world = try World(simulation: self, plan: plan)
        defer { world.report(into: &outcome) }
        while world.nowUs < world.endUs {
            try world.applyScheduledFaults()
            try world.step(faults: true)
            world.nowUs += Self.stepUs
        }
        try world.heal()
        try world.drain()
        outcome.digest = try world.compareTotals()
    }
}

/// Why a run failed, as the report says it.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SIGINT arrived: the run stops where it is.
struct Interrupted: Error, CustomStringConvertible {
    var description: String { "interrupted" }
}

/// FNV-1a over 64-bit words.
struct Digest {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            value ^= (word >> UInt64(shift)) & 0xFF
            value &*= 0x100_0000_01B3
        }
    }
}
