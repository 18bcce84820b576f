import CrossingCore
import Foundation

/// One scan of a loop pair as the front end delivers it.
public struct LoopScan: Sendable, Equatable {
    public var header: LoopFrameHeader
    public var a: LoopReading
    public var b: LoopReading

    public init(header: LoopFrameHeader, a: LoopReading, b: LoopReading) {
        self.header = header
        self.a = a
        self.b = b
    }
}

/// The scans one loop lane delivers over a scenario run, with the ground truth. The same
/// scenario, lane and seed always give identical scans.
public struct LoopSamples {
    public let spec: LaneSpec
    public let loops: LoopSpec
    public let durationS: Double
    private var simulation: LaneSimulation
    private var random: SplitMix64
    private var index = 0
    private var sequence: UInt32 = 0
    /// Rest offsets and drift phases of the two oscillators.
    private let offsetPpm: (a: Double, b: Double)
    private let phase: (a: Double, b: Double)
    public private(set) var dropped = 0
    public private(set) var finished = false

    public init(scenario: Scenario, laneIndex: Int, seed: UInt64, durationS: Double) {
        let spec = scenario.lanes[laneIndex]
        guard let loops = spec.loops else { preconditionFailure("lane \(spec.name) has no loops") }
        self.spec = spec
        self.loops = loops
        self.durationS = durationS
        let laneSeed = LaneSimulation.laneSeed(seed, laneIndex)
        simulation = LaneSimulation.make(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: durationS)
        var random = SplitMix64(seed: laneSeed ^ 0x6C6F_6F70)
        offsetPpm = (random.uniform(-400...400), random.uniform(-400...400))
        phase = (random.uniform(0...6.283), random.uniform(0...6.283))
        self.random = random
    }

    /// Simulated time of the next scan.
    public var timeS: Double { Double(index) / loops.sampleRateHz }
    public var truth: [TruthEvent] { simulation.truth }
    public var backlog: Int { simulation.backlogCount }

    /// The next delivered scan, or nil when the run is over.
    public mutating func next() -> LoopScan? {
        let dt = 1 / loops.sampleRateHz
        while !finished {
            let t = timeS
            guard simulation.stepRun(to: t, dt: dt, durationS: durationS) else {
                finished = true
                return nil
            }
            index += 1
            sequence &+= 1
            if loops.droppedSampleRate > 0 && random.chance(loops.droppedSampleRate) {
                dropped += 1
                continue
            }
            let half = loops.spacingM / 2
            let a = reading(loopB: false, fromM: -half, t: t)
            // The front end reads B half a sample period after A.
            let b = reading(loopB: true, fromM: half, t: t + dt / 2)
            let header = LoopFrameHeader(sequence: sequence, timestampUs: UInt64((t * 1_000_000).rounded()) + 1)
            return LoopScan(header: header, a: a, b: b)
        }
        return nil
    }

    private mutating func reading(loopB: Bool, fromM: Double, t: Double) -> LoopReading {
        let timestampUs = UInt64((t * 1_000_000).rounded()) + 1
        var failed: LoopSpec.FailureMode?
        if let failure = loops.failure, failure.loopB == loopB, t >= failure.atS { failed = failure.mode }
        switch failed {
        case .open: return LoopReading(shiftPpm: 0, timestampUs: timestampUs, status: .open)
        case .shorted: return LoopReading(shiftPpm: 0, timestampUs: timestampUs, status: .shorted)
        case .dead, nil: break
        }
        let rest = (loopB ? offsetPpm.b : offsetPpm.a)
            + loops.driftPpm * sin(2 * Double.pi * t / 21_600 + (loopB ? phase.b : phase.a))
        let vehicles = failed == .dead ? 0 : LoopRenderer.shiftPpm(
            loopFromM: fromM, loopToM: fromM + loops.lengthM, agents: simulation.agents)
        let noise = loops.noisePpm > 0 ? random.normalPair().0 * loops.noisePpm : 0
        return LoopReading(shiftPpm: Int32((rest + vehicles + noise).rounded()), timestampUs: timestampUs)
    }
}
