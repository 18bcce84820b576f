import CrossingCore
import Dispatch
import Foundation
import Synchronization

/// Runs every lane of a scenario, lanes in parallel (each lane is independent and seeded on its
/// own, so the result does not depend on scheduling).
public enum ScenarioRun {
    /// `progress` is called now and then with the simulated seconds done, summed over lanes;
    /// returning false stops the run early (the results then cover what ran).
    public static func run(
        scenario: Scenario, seed: UInt64, durationS: Double, baseline: Bool,
        progress: @Sendable (Double) -> Bool = { _ in true }
    ) throws(ConfigError) -> [LaneResult] {
        // Each lane's counter configuration is checked here, so the workers cannot fail.
        for lane in scenario.lanes {
            if let error = lane.sensor != nil ? lane.laneConfig.validate() : lane.loopConfig.validate() { throw error }
        }
        let laneCount = scenario.lanes.count
        let slots = Mutex<[LaneResult?]>(Array(repeating: nil, count: laneCount))
        let done = Mutex<[Double]>(Array(repeating: 0, count: laneCount))
        let stop = Atomic<Bool>(false)
        DispatchQueue.concurrentPerform(iterations: laneCount) { index in
            // Validated above.
            var runner = try! LaneRunner(scenario: scenario, laneIndex: index, seed: seed, durationS: durationS, baseline: baseline)
            var untilS = 0.0
            while !runner.finished && !stop.load(ordering: .relaxed) {
                untilS += 60
                runner.advance(untilS: untilS)
                let total = done.withLock { seconds -> Double in
                    seconds[index] = min(runner.timeS, durationS)
                    return seconds.reduce(0, +)
                }
                if !progress(total) { stop.store(true, ordering: .relaxed) }
            }
            let result = runner.finished ? runner.result : runner.partialResult
            slots.withLock { $0[index] = result }
        }
        return slots.withLock { $0.compactMap { $0 } }
    }
}
