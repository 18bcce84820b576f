import CrossingCore
import Testing

@Suite("Totals and interval bins")
struct TallyTests {
    @Test("Bins close when time passes their end and add up to the totals")
    func binsCloseAndAddUp() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        var closed: [IntervalBin] = []
        for minute in 0..<3 {
            for _ in 0...minute {
                try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
                try feeder.hold([], frames: 10)
            }
            // Idle to the end of the minute so the next crossing falls into the next bin.
            while feeder.timeUs % 60_000_000 != 0 { try feeder.feed([]) }
            while let bin = feeder.lane.popClosedBin() { closed.append(bin) }
        }
        try feeder.feed([])
        while let bin = feeder.lane.popClosedBin() { closed.append(bin) }
        #expect(closed.count == 3)
        #expect(closed.map { $0.count(.pedestrian, .outbound) } == [1, 2, 3])
        #expect(closed.allSatisfy { $0.startUs % 60_000_000 == 0 && $0.intervalMs == 60_000 })
        #expect(closed.map(\.total).reduce(0, +) == feeder.lane.grandTotal)
        #expect(closed.map { UInt64($0.frames) }.reduce(0, +) + 1 == feeder.lane.health.framesProcessed)
        feeder.lane.closeOpenBin()
        #expect(feeder.lane.popClosedBin()?.frames == 1)
        #expect(feeder.lane.popClosedBin() == nil)
    }

    @Test("Bins not drained are merged oldest first and counted; every count stays in a bin")
    func binRingOverflow() throws {
        var config = Lanes.walkway
        config.binIntervalMs = 1000
        var feeder = try FrameFeeder(config: config)
        try feeder.learnFloor()
        for _ in 0..<4 {
            try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        }
        try feeder.hold([], frames: 200)
        let closedSeconds = UInt64(feeder.lane.health.framesProcessed - 1) / 10
        #expect(feeder.lane.binsMerged == closedSeconds - UInt64(Limits.binsMax))
        #expect(feeder.lane.grandTotal == 4)
        let pending = feeder.lane.unexportedBin
        var held = 0
        var counted: UInt64 = 0
        var frames: UInt32 = 0
        var startUs = UInt64.max
        while let bin = feeder.lane.popClosedBin() {
            held += 1
            counted += bin.total
            frames += bin.frames
            startUs = min(startUs, bin.startUs)
        }
        #expect(held == Limits.binsMax)
        // The bins held, with the open one, carry every count and every frame.
        #expect(counted + feeder.lane.unexportedBin.total == 4)
        #expect(frames + feeder.lane.unexportedBin.frames == UInt32(feeder.lane.health.framesProcessed))
        #expect(pending.total == 4 && pending.startUs == startUs)
        #expect(pending.frames == UInt32(feeder.lane.health.framesProcessed))
    }

    @Test("A bin held across a reboot is taken first, as it was")
    func pendingRestored() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        var bin = IntervalBin()
        bin.startUs = 60_000_000
        bin.intervalMs = 60_000
        bin.frames = 7
        bin.counts[2] = 3
        feeder.lane.restore(pending: bin)
        #expect(feeder.lane.unexportedBin == bin)
        #expect(feeder.lane.popClosedBin() == bin)
        #expect(feeder.lane.popClosedBin() == nil)
    }

    @Test("An hour without frames leaves no empty bins: a missing bin means not observed")
    func gapLeavesNoBins() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        feeder.timeUs += 3_600_000_000
        try feeder.feed([])
        var bins = 0
        while feeder.lane.popClosedBin() != nil { bins += 1 }
        #expect(bins == 1)
    }

    @Test("Totals restored from a flash that says anything sum without trapping, wrapping as counts do (Tools/fuzz journal)")
    func grandTotalWraps() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        feeder.lane.restore(total: UInt64.max, .pedestrian, .outbound)
        feeder.lane.restore(total: 2, .car, .inbound)
        #expect(feeder.lane.grandTotal == 1)
    }
}
