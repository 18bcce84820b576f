import CrossingCore
import CrossingSimulation
import Testing

@Suite("Counting synthetic scenes against ground truth")
struct SyntheticAccuracyTests {
    static func run(_ mix: TrafficMix, durationS: Double, seed: UInt64, mountHeightM: Double = 4.0, widthM: Double = 3.0) throws -> (SyntheticLane, LaneRun) {
        var random = SplitMix64(seed: seed)
        let lane = SyntheticLane(name: "test", mountHeightM: mountHeightM, widthM: widthM, mix: mix, durationS: durationS, random: &random)
        var run = try LaneRun(lane: lane, seed: seed)
        run.advance(untilS: durationS + 60)
        #expect(run.frameErrors.isEmpty)
        return (lane, run)
    }

    @Test("Sparse walkers each way are counted exactly", arguments: [1, 2, 3] as [UInt64])
    func sparseWalkers(seed: UInt64) throws {
        let (lane, run) = try Self.run(TrafficMix(perHour: [.pedestrian: (60, 60)]), durationS: 1800, seed: seed)
        let truth = lane.truth(untilS: 1e9)[.pedestrian] ?? (0, 0)
        #expect(run.counter.total(.pedestrian, .outbound) == UInt64(truth.outbound))
        #expect(run.counter.total(.pedestrian, .inbound) == UInt64(truth.inbound))
        #expect(run.counter.grandTotal == UInt64(truth.outbound + truth.inbound))
    }
}
