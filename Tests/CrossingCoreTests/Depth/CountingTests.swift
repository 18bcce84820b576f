import CrossingCore
import Testing

@Suite("Counting on hand-built frame sequences")
struct CountingTests {
    @Test("A single walker counts once, in the right direction, each way")
    func singleWalkerEachWay() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .outbound) == 1)
        #expect(feeder.total(.pedestrian, .inbound) == 0)
        try feeder.move({ [Shape.person(row: $0, col: 4)] }, fromRow: 9, toRow: -3, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .outbound) == 1)
        #expect(feeder.total(.pedestrian, .inbound) == 1)
        #expect(feeder.lane.grandTotal == 2)
    }

    @Test("Orientation decides which way is outbound")
    func orientationFlipsDirection() throws {
        var config = Lanes.walkway
        config.orientation = .outboundTowardFirstRow
        var feeder = try FrameFeeder(config: config)
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .inbound) == 1)
        #expect(feeder.total(.pedestrian, .outbound) == 0)
    }

    @Test("Two people side by side, shoulders touching, count as two")
    func twoSideBySide() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try feeder.move(
            { [Shape.person(row: $0, col: 1), Shape.person(row: $0, col: 4, headMm: 1650)] },
            fromRow: -3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .outbound) == 2)
        #expect(feeder.lane.grandTotal == 2)
    }

    @Test("Two people back to back with no gap count as two")
    func twoBackToBack() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try feeder.move(
            { [Shape.person(row: $0, col: 2), Shape.person(row: $0 - 2, col: 2)] },
            fromRow: -3, toRow: 11, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .outbound) == 2)
        #expect(feeder.lane.grandTotal == 2)
    }

    @Test("A walker who enters, reaches the line and turns back is not counted")
    func turnBack() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 3, milliRowsPerFrame: 500)
        try feeder.hold([Shape.person(row: 3, col: 2)], frames: 30)
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: 3, toRow: -3, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.lane.grandTotal == 0)
    }

    @Test("A person standing on the line for 20 minutes counts once, when they leave on the far side")
    func standingTwentyMinutes() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: -3, toRow: 3, milliRowsPerFrame: 500)
        try feeder.hold([Shape.person(row: 3, col: 2)], frames: 20 * 60 * 10)
        #expect(feeder.lane.grandTotal == 0)
        #expect(feeder.lane.activeTracks == 1)
        #expect(feeder.lane.stuckZoneMask == 0)
        try feeder.move({ [Shape.person(row: $0, col: 2)] }, fromRow: 3, toRow: 9, milliRowsPerFrame: 500)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A car stopping under the sensor for 10 minutes counts once, as a car")
    func carStopsTenMinutes() throws {
        var feeder = try FrameFeeder(config: Lanes.road)
        try feeder.learnFloor()
        let car = { (row: Double) in [Shape.car(row: row, col: 2)] }
        // Row 0 puts the roof's middle on the counting line.
        try feeder.move(car, fromRow: -8, toRow: 0, milliRowsPerFrame: 300)
        try feeder.hold(car(0), frames: 10 * 60 * 10)
        #expect(feeder.lane.grandTotal == 0)
        #expect(feeder.lane.activeTracks == 1)
        try feeder.move(car, fromRow: 0, toRow: 9, milliRowsPerFrame: 300)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.car, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A car stopped with its middle on the line of a 4x4 grid counts once while its ends flicker in and out")
    func carOnTheLineWithFlickeringEnds() throws {
        // 4x4 zones from 5 m, as over a road lane: a car roof fills the two middle rows and is
        // half over each outer row, whose zones catch it on some frames and not on others.
        var config = LaneConfig()
        config.side = 4
        config.mountHeightMm = 5000
        config.floorSpanMm = 4142
        var feeder = try FrameFeeder(config: config)
        try feeder.learnFloor()
        let roof = { (row: Double, length: Int) in Shape(row: row, col: 1, heights: Array(repeating: [1630, 1630], count: length)) }
        try feeder.move({ [roof($0, 2)] }, fromRow: -2, toRow: 1, milliRowsPerFrame: 250)
        var random = SeededRandom(state: 41)
        for _ in 0..<(10 * 60 * 10) {
            var shapes = [roof(1, 2)]
            for (row, col) in [(0, 1), (0, 2), (3, 1), (3, 2)] where random.next() % 2 == 0 {
                shapes.append(Shape(row: Double(row), col: col, heights: [[1630]]))
            }
            try feeder.feed(shapes)
        }
        try feeder.move({ [roof($0, 2)] }, fromRow: 1, toRow: 5, milliRowsPerFrame: 250)
        try feeder.hold([], frames: 20)
        // Whatever class four zones of roof make on so coarse a grid, it crosses once, outbound.
        let inbound = (0..<CrossingClass.count).reduce(0) { $0 + feeder.total(CrossingClass(rawValue: UInt8($1))!, .inbound) }
        #expect(inbound == 0)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A walker the sensor sees in two frames of every three counts once")
    func walkerSeenInTwoFramesOfThree() throws {
        // Dark hair and clothes return nothing in some frames: never three frames in a row here.
        var feeder = try FrameFeeder(config: Lanes.walkway)
        try feeder.learnFloor()
        var frame = 0
        var positionMilliRows = -3000
        while positionMilliRows <= 9000 {
            let seen = frame % 3 != 2
            try feeder.feed(seen ? [Shape.person(row: Double(positionMilliRows) / 1000, col: 3)] : [])
            frame += 1
            positionMilliRows += 250
        }
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.pedestrian, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("Two cars nose to tail in a queue count as two")
    func twoCarsNoseToTail() throws {
        var feeder = try FrameFeeder(config: Lanes.road)
        try feeder.learnFloor()
        try feeder.move(
            { [Shape.car(row: $0, col: 2), Shape.car(row: $0 - 8, col: 2)] },
            fromRow: -8, toRow: 17, milliRowsPerFrame: 300)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.car, .outbound) == 2)
        #expect(feeder.lane.grandTotal == 2)
    }

    @Test("A bus three times longer than the field of view stays one bus")
    func busLongerThanView() throws {
        var feeder = try FrameFeeder(config: Lanes.road)
        try feeder.learnFloor()
        try feeder.move({ [Shape.bus(row: $0, col: 1)] }, fromRow: 9, toRow: -25, milliRowsPerFrame: 400)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.bus, .inbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A truck cab and its trailer count as one")
    func truckWithTrailer() throws {
        var feeder = try FrameFeeder(config: Lanes.road)
        try feeder.learnFloor()
        try feeder.move({ [Shape.truckWithTrailer(row: $0, col: 1)] }, fromRow: -30, toRow: 9, milliRowsPerFrame: 400)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.bus, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A bicycle at 25 km/h, seen at 15 Hz, counts once as a bicycle")
    func fastBicycle() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway, hz: 15)
        try feeder.learnFloor()
        // 25 km/h is 0.46 m per frame at 15 Hz: about 1.5 zones at the rider's mean height.
        try feeder.move({ [Shape.bicycle(row: $0, col: 3)] }, fromRow: -6, toRow: 9, milliRowsPerFrame: 1540)
        try feeder.hold([], frames: 20)
        #expect(feeder.total(.bicycle, .outbound) == 1)
        #expect(feeder.lane.grandTotal == 1)
    }

    @Test("A walker leaving the view as an oncoming cyclist comes in past them: one of each, each way")
    func walkerLeavesAsCyclistEnters() throws {
        // The walker keeps to columns 4-6; the cyclist passes a zone or two to the side, arriving
        // over the last row at a range of moments around the walker's leaving it, at a range of
        // speeds. The walker's track lingers at the exit edge and must not take the cyclist.
        for cyclistCol in 0...1 {
            for arrivalFrame in stride(from: 30, to: 60, by: 2) {
                for bikeRowsPerFrame in [0.15, 0.25, 0.4] {
                    for walkRowsPerFrame in [0.1, 0.15, 0.2] {
                        var feeder = try FrameFeeder(config: Lanes.walkway, hz: 15)
                        try feeder.learnFloor()
                        for frame in 0..<200 {
                            var shapes = [Shape.person(row: -3 + walkRowsPerFrame * Double(frame), col: 4)]
                            if frame >= arrivalFrame {
                                let row = 9 - bikeRowsPerFrame * Double(frame - arrivalFrame)
                                shapes.append(Shape.bicycle(row: row, col: cyclistCol))
                            }
                            try feeder.feed(shapes)
                        }
                        try feeder.hold([], frames: 20)
                        let scene = "cyclist column \(cyclistCol) from frame \(arrivalFrame) at \(bikeRowsPerFrame), walker at \(walkRowsPerFrame)"
                        #expect(feeder.total(.pedestrian, .outbound) == 1, "\(scene)")
                        #expect(feeder.total(.bicycle, .inbound) == 1, "\(scene)")
                        #expect(feeder.lane.grandTotal == 2, "\(scene)")
                    }
                }
            }
        }
    }
}

extension Shape {
    /// A car seen from above by a sensor at 8 m: bonnet, roof, boot; about 4.5 x 1.8 m.
    static func car(row: Double, col: Int) -> Shape {
        let profile = [950, 1000, 1400, 1500, 1480, 1450, 1050]
        return Shape(row: row, col: col, heights: profile.map { [$0, $0 + 20, $0] })
    }

    /// A 12 m bus, 3.2 m tall, with two roof units that must not split it.
    static func bus(row: Double, col: Int) -> Shape {
        var rows = [[Int]](repeating: [3150, 3200, 3200, 3200, 3150], count: 24)
        rows[5][2] = 3500
        rows[18][2] = 3500
        return Shape(row: row, col: col, heights: rows)
    }

    /// A tractor (3.1 m cab) and a 4 m semi-trailer joined over the fifth wheel at 1.2 m.
    static func truckWithTrailer(row: Double, col: Int) -> Shape {
        var rows = [[Int]](repeating: [3900, 4000, 4000, 4000, 3900], count: 22)
        rows.append([1200, 1250, 1250, 1250, 1200])
        rows.append([1200, 1250, 1250, 1250, 1200])
        rows += [[Int]](repeating: [3000, 3100, 3100, 3100, 3000], count: 4)
        return Shape(row: row, col: col, heights: rows)
    }

    /// A rider on a bicycle heading toward row 0, from the front wheel (first row) to the rear
    /// wheel (last row): the arms reach forward and down to the handlebar, the back slopes down
    /// behind the head to the saddle.
    static func bicycle(row: Double, col: Int) -> Shape {
        let profile = [700, 1000, 1250, 1500, 1750, 1450, 1100, 700]
        return Shape(row: row, col: col, heights: profile.map { [$0, $0 - 50] })
    }
}
