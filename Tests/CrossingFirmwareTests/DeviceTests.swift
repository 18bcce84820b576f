import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

@Suite("Device")
struct DeviceTests {
    static let scenario = """
        {"name": "busy walkway", "site": "test", "duration_s": 3600, "lanes": [{
          "name": "walkway", "kind": "walkway", "width_m": 3.0, "length_m": 14,
          "sensor": {"mount_height_m": 2.8, "grid": 8, "frame_rate_hz": 15},
          "traffic": [
            {"class": "pedestrian", "direction": "outbound", "per_hour": 1800},
            {"class": "pedestrian", "direction": "inbound", "per_hour": 600}
          ]}]}
        """

    /// The emulated board and the scene feeding its sensor: a value, so a test can keep it as
    /// it was before any step and go on from there.
    struct World {
        var frames: LaneFrames
        var board: EmulatedBoard
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: 64)
        var device: EmulatedBoard.Device {
            get { board.device }
            set { board.device = newValue }
        }

        init() throws {
            let scenario = try Scenario.parse(data: Data(DeviceTests.scenario.utf8))
            frames = LaneFrames(scenario: scenario, laneIndex: 0, seed: 5, durationS: 3600)
            var config = try DeviceConfigFile.derived(from: scenario, file: "test")
            // Commit often, for many commits to cut.
            config.persistIntervalS = 10
            // A config sector, a two-sector journal and the outbox log: reboots scan fewer slots.
            board = try EmulatedBoard(config: config, flash: EmulatedFlash(sectorSizeBytes: 4096, sectorCount: 7))
        }

        /// The next frame reaches the board; false at the end of the scene.
        mutating func step() throws -> Bool {
            guard let header = frames.next(into: &zones) else { return false }
            let latched = zones
            try board.deliver(lane: 0, header: header, zones: latched.span)
            return true
        }

        mutating func reboot() throws {
            try board.reboot()
        }
    }

    struct Committed: Equatable {
        var total: UInt64
        var lastFrame: UInt32
    }

    /// The counts of lane 0 in a bin: the outbox's (nothing leaves it, with no export) and
    /// the lane's own not yet taken.
    static func binned(_ device: EmulatedBoard.Device) -> UInt64 {
        let outbox = device.outbox
        var sum = device.unexported(lane: 0).total
        for index in 0..<outbox.count where outbox[index].lane == 0 { sum += outbox[index].bin.total }
        return sum
    }

    @Test("A power cut at every flash program and erase of a run of 1,000 crossings, atomic or torn: after each reboot every count in the totals is in exactly one bin, and no frame is counted twice")
    func powerCutAtEveryStep() throws {
        // The run, keeping the world as it was before each step that wrote to flash.
        var world = try World()
        var writes: [(before: World, committed: Committed?, operations: Int)] = []
        var committed: Committed?
        while world.device.grandTotal(lane: 0) < 1000 {
            let before = world
            let operations = world.device.flash.operations
            guard try world.step() else { break }
            let done = world.device.flash.operations - operations
            #expect(Self.binned(world.device) == world.device.grandTotal(lane: 0))
            if done > 0 {
                writes.append((before, committed, done))
                committed = Committed(total: world.device.grandTotal(lane: 0), lastFrame: world.device.lastCounted(lane: 0))
            }
        }
        #expect(world.device.grandTotal(lane: 0) >= 1000)
        #expect(writes.count > 100)
        var reboots = 0
        for write in writes {
            for operation in 1...write.operations {
                for cut in [EmulatedFlash.Cut.atomic, .torn(quarters: 1), .torn(quarters: 2), .torn(quarters: 3)] {
                    var trial = write.before
                    trial.device.flash.cutPower(atOperation: operation, cut)
                    #expect(throws: FlashError.powerLost) { _ = try trial.step() }
                    try trial.reboot()
                    reboots += 1
                    let restored = Committed(total: trial.device.grandTotal(lane: 0), lastFrame: trial.device.lastCounted(lane: 0))
                    // The last commit's frame, and its totals reconciled with the bins closed
                    // since: no more and no fewer counts than the bins carry.
                    #expect(restored.lastFrame == write.committed?.lastFrame ?? 0, "cut at \(operation), \(cut)")
                    #expect(restored.total == Self.binned(trial.device), "cut at \(operation), \(cut)")
                    // The sensor offers the last committed frame again (its flag stuck across the
                    // reset): it is not counted twice.
                    if restored.lastFrame > 0 {
                        let header = FrameHeader(sequence: restored.lastFrame, timestampUs: 1, side: 8)
                        let latched = trial.zones
                        trial.device.bus.present(lane: 0, header: header, zones: latched.span)
                        try trial.device.tick()
                        let health = trial.device.driverHealth(lane: 0)
                        #expect(health.frames == 0 && health.staleFrames == 1)
                    }
                    // Counting goes on from the first frame after the last one committed.
                    for _ in 0..<2 { _ = try trial.step() }
                    #expect(trial.device.health.framesRejected == 0)
                    #expect(trial.device.driverHealth(lane: 0).frames == 0 || trial.device.lastCounted(lane: 0) > restored.lastFrame)
                    #expect(Self.binned(trial.device) == trial.device.grandTotal(lane: 0))
                }
            }
        }
        #expect(reboots > 4 * 300)
    }

    @Test("A hung main loop is reset by the watchdog, and the device resumes with its totals")
    func watchdogResetsAHang() throws {
        var world = try World()
        while world.device.grandTotal(lane: 0) < 100 { _ = try world.step() }
        try world.device.persist()
        let kept = world.device.grandTotal(lane: 0)
        // The loop hangs: frames keep coming, nothing kicks the watchdog.
        var resetAtUs: UInt64?
        var zones = world.zones
        while resetAtUs == nil, let header = world.frames.next(into: &zones) {
            world.device.bus.present(lane: 0, header: header, zones: zones.span)
            if world.device.watchdog.fires(atUs: header.timestampUs) { resetAtUs = header.timestampUs }
        }
        #expect(resetAtUs != nil)
        try world.reboot()
        #expect(world.device.health.lanesRestored == 1)
        #expect(world.device.grandTotal(lane: 0) == kept)
        for _ in 0..<(15 * 120) { _ = try world.step() }
        #expect(world.device.grandTotal(lane: 0) > kept)
        #expect(world.device.health.framesRejected == 0)
    }
}
