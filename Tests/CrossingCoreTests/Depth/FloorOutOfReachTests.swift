import CrossingCore
import Testing

/// The part's reach usually ends above the floor (Hardware/depth-sensor.md): empty zones then
/// report no target, or, from a front end that maps no return to a failure, invalid. Either way
/// every walker counts once, nothing trails anyone, and no-target readings are not failures.
@Suite("Counting with the floor out of reach")
struct FloorOutOfReachTests {
    @Test(
        "Walkers each way count once when empty zones read no target or invalid, in every row or every other",
        arguments: [ZoneStatus.noTarget, .invalid], [false, true])
    func walkersCountOnce(emptyStatus: ZoneStatus, alternateRows: Bool) throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        feeder.emptyStatus = emptyStatus
        // Rows where the floor returns between rows where it does not: a height held where
        // someone just was would stand apart from them as a second object.
        if alternateRows { feeder.emptyStatusRows = { $0 % 2 == 1 } }
        try feeder.learnFloor()
        for round in 0..<3 {
            // A brisk walker and a slow one; the next comes in at once, before a held height
            // could fade.
            try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 900)
            try feeder.move({ [Shape.person(row: $0, col: 4)] }, fromRow: 9, toRow: -3, milliRowsPerFrame: 400)
            #expect(feeder.total(.pedestrian, .outbound) == UInt64(round + 1))
            #expect(feeder.total(.pedestrian, .inbound) == UInt64(round + 1))
        }
        try feeder.hold([], frames: 20)
        #expect(feeder.lane.grandTotal == 6)
        #expect(feeder.lane.activeTracks == 0)
        if emptyStatus == .noTarget { #expect(feeder.lane.health.invalidZones == 0) }
    }

    @Test("A zone that never returns its floor takes the mount height, so heights stay true")
    func floorAtMountHeight() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        feeder.emptyStatus = .noTarget
        try feeder.learnFloor()
        // A 0.25 m bag is below the object threshold against a floor at the mount height; a
        // floor learned anywhere nearer would lift it into an object.
        try feeder.hold([Shape(row: 3, col: 3, heights: [[250]])], frames: 30)
        #expect(feeder.lane.activeTracks == 0)
        try feeder.move({ [Shape.person(row: $0, col: 3)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 400)
        #expect(feeder.total(.pedestrian, .outbound) == 1)
    }
}
