import CrossingCore
import Testing

@Suite("Floor model")
struct BackgroundTests {
    @Test("A car standing 59 minutes is not absorbed; past the 60-minute limit it is flagged, still not absorbed")
    func stuckZonesAreFlaggedNotAbsorbed() throws {
        var feeder = try FrameFeeder(config: Lanes.road, hz: 5)
        try feeder.learnFloor()
        let car = { (row: Double) in [Shape.car(row: row, col: 2)] }
        try feeder.move(car, fromRow: -8, toRow: 1, milliRowsPerFrame: 300)
        try feeder.hold(car(1), frames: 59 * 60 * 5)
        #expect(feeder.lane.stuckZoneMask == 0)
        #expect(feeder.lane.health.zonesStuck == 0)
        #expect(feeder.lane.activeTracks == 1)
        try feeder.hold(car(1), frames: 2 * 60 * 5)
        #expect(feeder.lane.stuckZoneMask != 0)
        #expect(feeder.lane.health.zonesStuck > 0)
        #expect(feeder.lane.activeTracks == 1)
        try feeder.move(car, fromRow: 1, toRow: 9, milliRowsPerFrame: 300)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.car, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
        #expect(feeder.lane.stuckZoneMask == 0)
    }

    @Test("The stuck limit is configurable")
    func stuckLimitConfigurable() throws {
        var config = Lanes.walkway
        config.stuckLimitS = 120
        var feeder = try FrameFeeder(config: config)
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 3, milliRowsPerFrame: 500)
        try feeder.hold([Shape.person(row: 3, col: 2)], frames: 110 * 10)
        #expect(feeder.lane.stuckZoneMask == 0)
        try feeder.hold([Shape.person(row: 3, col: 2)], frames: 20 * 10)
        #expect(feeder.lane.stuckZoneMask != 0)
    }

    @Test("Booting with a car under the sensor: the floor is re-learned when it leaves")
    func bootWithObjectUnderneath() throws {
        var feeder = try FrameFeeder(config: Lanes.road)
        try feeder.hold([Shape.car(row: 1, col: 2)], frames: 40)
        try feeder.hold([], frames: 20)
        #expect(feeder.lane.health.floorRelearned > 0)
        #expect(feeder.lane.grandTotal == 0)
        try feeder.move({ [Shape.car(row: $0, col: 2)] }, fromRow: -8, toRow: 9, milliRowsPerFrame: 300)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.car, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A dead zone never learns a floor and never makes objects")
    func deadZoneIsMasked() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        for _ in 0..<40 { try feeder.feed([], invalid: [27, 28]) }
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("Recalibration forgets the floor and learns it again")
    func recalibrate() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        feeder.lane.recalibrate()
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.lane.grandTotal == 1)
    }
}
