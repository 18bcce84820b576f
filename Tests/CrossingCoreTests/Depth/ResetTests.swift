import CrossingCore
import Testing

/// A device with no heap keeps its lanes in static memory and boots them there with
/// `reset(config:)` (docs/embedded.md, "Stack"): a lane reset over one that has counted, stuck
/// and failed must count exactly as a new one.
@Suite("Lanes reset in place")
struct ResetTests {
    /// A walker each way, a bicycle-fast walker, and one standing in view for a while.
    static func walkwayScript(_ feeder: inout FrameFeeder) throws {
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.move({ [Shape.person(row: $0, col: 5)] }, fromRow: 9, toRow: -3, milliRowsPerFrame: 400)
        try feeder.hold([Shape.person(row: 4, col: 1)], frames: 40)
        try feeder.move({ [Shape.person(row: $0, col: 3)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 900)
        try feeder.hold([], frames: 700)
    }

    static func drain(_ lane: inout DepthLaneCounter) -> [IntervalBin] {
        lane.closeOpenBin()
        var bins: [IntervalBin] = []
        while let bin = lane.popClosedBin() { bins.append(bin) }
        return bins
    }

    @Test("A depth lane reset after counting, a stuck zone and refused frames counts as a new lane")
    func depthLane() throws {
        var fresh = try FrameFeeder(config: Lanes.walkway)
        try Self.walkwayScript(&fresh)

        // Another lane's life first: a different grid span, a car parked under the sensor long
        // enough to flag its zones stuck, and frames refused.
        var used = try FrameFeeder(config: Lanes.road)
        try used.learnFloor()
        try used.hold([Shape(row: 3, col: 2, heights: [[1400, 1450, 1400], [1450, 1500, 1450]])], frames: 200)
        _ = try? used.feed(readings: [ZoneReading](repeating: ZoneReading(distanceMm: 4000), count: 16))
        #expect(used.lane.health.framesRejected == 1)
        let stale = Self.drain(&used.lane)
        #expect(!stale.isEmpty)

        // A bad config is refused and leaves the lane as it was.
        var bad = Lanes.walkway
        bad.side = 6
        #expect(throws: ConfigError.self) { try used.lane.reset(config: bad) }
        #expect(used.lane.config == Lanes.road)

        try used.lane.reset(config: Lanes.walkway)
        #expect(used.lane.grandTotal == 0 && used.lane.health == Health() && used.lane.activeTracks == 0)
        // The walkway's frames, from a feeder drawing the walkway, into the reset lane and the
        // other lane's scratch.
        var again = try FrameFeeder(config: Lanes.walkway)
        again.lane = used.lane
        again.scratch = used.scratch
        used = again
        try Self.walkwayScript(&used)

        #expect(fresh.lane.grandTotal > 0)
        for crossingClass in [CrossingClass.pedestrian, .bicycle, .car, .bus] {
            for direction in [Direction.outbound, .inbound, .unknown] {
                #expect(used.total(crossingClass, direction) == fresh.total(crossingClass, direction))
            }
        }
        #expect(used.lane.health == fresh.lane.health)
        #expect(used.lane.stuckZoneMask == fresh.lane.stuckZoneMask)
        #expect(Self.drain(&used.lane) == Self.drain(&fresh.lane))
    }

    @Test("A loop lane reset after a failed loop and vehicles counts as a new lane")
    func loopLane() throws {
        let car = LoopVehicleShape.car(frontM: { t in -5 + 10 * max(0, t - 2) })
        let back = LoopVehicleShape.car(frontM: { t in 15 - 8 * max(0, t - 7) })
        var fresh = try LoopFeeder()
        let freshVehicles = try fresh.run(untilS: 12, [car, back])

        var spacing = LoopConfig()
        spacing.loopSpacingMm = 6000
        var used = try LoopFeeder(config: spacing)
        used.statusA = .open
        try used.run(untilS: 8, [car])
        #expect(!used.detector.faults.a.isEmpty)
        try used.detector.reset(config: LoopConfig())
        used.sequence = 1
        used.timeS = 0
        used.noiseState = LoopFeeder.noiseSeed
        used.statusA = .ok
        #expect(used.detector.grandTotal == 0 && used.detector.faults.a.isEmpty && used.detector.health == LoopHealth())
        // The feeder takes its geometry from the detector's config, now the default one.
        let usedVehicles = try used.run(untilS: 12, [car, back])

        #expect(freshVehicles.count == 2)
        #expect(usedVehicles == freshVehicles)
        #expect(used.detector.health == fresh.detector.health)
        #expect(used.detector.total(.car, .outbound) == fresh.detector.total(.car, .outbound))
        #expect(used.detector.total(.car, .inbound) == fresh.detector.total(.car, .inbound))
    }
}
