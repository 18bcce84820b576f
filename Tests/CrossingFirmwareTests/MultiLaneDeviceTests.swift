import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

@Suite("Multi-lane device")
struct MultiLaneDeviceTests {
    static let scenario = """
        {"name": "pole", "site": "test", "duration_s": 900, "lanes": [
          {"name": "walkway", "kind": "walkway", "width_m": 3.0, "length_m": 14,
           "sensor": {"mount_height_m": 2.8, "grid": 8, "frame_rate_hz": 15},
           "traffic": [{"class": "pedestrian", "direction": "outbound", "per_hour": 900},
                       {"class": "pedestrian", "direction": "inbound", "per_hour": 300}]},
          {"name": "road", "kind": "road", "width_m": 3.5, "length_m": 60,
           "loops": {"length_m": 1.5, "spacing_m": 4.0, "sample_rate_hz": 200},
           "traffic": [{"class": "car", "direction": "outbound", "per_hour": 200},
                       {"class": "bus", "direction": "inbound", "per_hour": 20}]}]}
        """

    static func board(_ config: DeviceConfig, flash: EmulatedFlash = EmulatedBoard.blankFlash()) throws -> EmulatedBoard {
        try EmulatedBoard(config: config, flash: flash)
    }

    @Test("A depth lane and a loop lane on one bus count exactly what their cores count fed directly")
    func countsLikeTheCores() throws {
        let scenario = try Scenario.parse(data: Data(Self.scenario.utf8))
        let config = try DeviceConfigFile.derived(from: scenario, file: "test")
        var board = try Self.board(config)
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 4, durationS: 900)
        while try feed.deliverNext(to: &board) {}
        let direct = try ScenarioRun.run(scenario: scenario, seed: 4, durationS: 900, baseline: false)
        for lane in 0..<2 {
            for crossingClass in ScoreReport.classes {
                for direction in ScoreReport.directions {
                    let expected = direct[lane].counted.filter { $0.crossingClass == crossingClass && $0.direction == direction }.count
                    #expect(board.total(lane: lane, crossingClass, direction) == UInt64(expected), "\(lane) \(crossingClass) \(direction)")
                }
            }
            #expect(board.device.grandTotal(lane: lane) > 30)
            #expect(board.device.driverHealth(lane: lane).busErrors == 0)
        }
        #expect(board.device.health.framesRejected == 0)
    }

    @Test("After a reboot on a changed config, a lane keeps its totals only under its own name and kind")
    func restoresByLaneName() throws {
        let scenario = try Scenario.parse(data: Data(Self.scenario.utf8))
        let config = try DeviceConfigFile.derived(from: scenario, file: "test")
        var board = try Self.board(config)
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 4, durationS: 300)
        while try feed.deliverNext(to: &board) {}
        try board.device.persist()
        let walkway = board.device.grandTotal(lane: 0)
        let road = board.device.grandTotal(lane: 1)
        #expect(walkway > 0 && road > 0)
        // The walkway is renamed: a new lane to the device, which must not inherit the old totals.
        var renamed = DeviceConfig()
        renamed.device = config.device
        renamed.site = config.site
        _ = renamed.append(DeviceLane(name: ShortText(text: "walkway-north")!, address: 0x20, sensor: config.lane(0).sensor))
        _ = renamed.append(config.lane(1))
        let rebooted = try Self.board(renamed, flash: board.device.flash)
        #expect(rebooted.device.health.lanesRestored == 1)
        #expect(rebooted.device.grandTotal(lane: 0) == 0)
        #expect(rebooted.device.grandTotal(lane: 1) == road)
        // Back to the first config: the walkway's totals were never overwritten.
        let again = try Self.board(config, flash: board.device.flash)
        #expect(again.device.grandTotal(lane: 0) == walkway && again.device.grandTotal(lane: 1) == road)
    }

    @Test("A sensor that goes silent is flagged and lights the fault pattern; counting resumes when it speaks again")
    func silentSensorIsFlagged() throws {
        let scenario = try Scenario.parse(data: Data(Self.scenario.utf8))
        let config = try DeviceConfigFile.derived(from: scenario, file: "test")
        var board = try Self.board(config)
        var loops = LoopSamples(scenario: scenario, laneIndex: 1, seed: 1, durationS: 60)
        var frames = LaneFrames(scenario: scenario, laneIndex: 0, seed: 1, durationS: 60)
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: 64)
        var nextFrame = frames.next(into: &zones)
        // For 20 s both lanes deliver; then the walkway's sensor stops for 10 s while the loops go on.
        while let scan = loops.next(), scan.header.timestampUs < 30_000_000 {
            if let frame = nextFrame, frame.timestampUs <= scan.header.timestampUs {
                if frame.timestampUs < 20_000_000 || frame.timestampUs > 30_000_000 - 1 {
                    try board.deliver(lane: 0, header: frame, zones: zones.span)
                }
                nextFrame = frames.next(into: &zones)
            }
            try board.deliver(lane: 1, scan: scan)
            if scan.header.timestampUs == 19_000_000 { #expect(board.device.indicator.pattern == .counting) }
        }
        #expect(board.device.health.silentLanes == 0b01)
        #expect(board.device.indicator.pattern == .fault)
        for _ in 0..<3 {
            guard let frame = nextFrame else { break }
            try board.deliver(lane: 0, header: frame, zones: zones.span)
            nextFrame = frames.next(into: &zones)
        }
        #expect(board.device.health.silentLanes == 0 && board.device.indicator.pattern == .counting)
    }
}
