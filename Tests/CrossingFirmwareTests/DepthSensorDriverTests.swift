import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingSimulation
import Foundation
import Testing

@Suite("Depth sensor driver")
struct DepthSensorDriverTests {
    static let scenario = """
        {"name": "driver", "site": "test", "duration_s": 900, "lanes": [{
          "name": "walkway", "kind": "walkway", "width_m": 2.4, "length_m": 14,
          "sensor": {"mount_height_m": 2.8, "grid": 8, "frame_rate_hz": 15},
          "traffic": [
            {"class": "pedestrian", "direction": "outbound", "per_hour": 240},
            {"class": "bicycle", "direction": "inbound", "per_hour": 60}
          ]}]}
        """

    /// Frames of the scenario through the emulated sensor, the driver and a lane, polling
    /// twice per frame period as the main loop does.
    static func run(faultRate: Double, seed: UInt64) throws -> DriverRun {
        let scenario = try Scenario.parse(data: Data(Self.scenario.utf8))
        var frames = LaneFrames(scenario: scenario, laneIndex: 0, seed: 3, durationS: 900)
        var sensor = EmulatedDepthSensor(address: 0x29, faultRate: faultRate, random: SplitMix64(seed: seed))
        var driver = DepthSensorDriver(address: 0x29)
        var lane = try DepthLaneCounter(config: scenario.lanes[0].laneConfig)
        var scratch = DepthScratch()
        var zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: 64)
        var read = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
        var outcome = DriverRun()
        while let header = frames.next(into: &zones) {
            sensor.present(header: header, zones: zones.span)
            for _ in 0..<2 {
                guard let got = driver.poll(&sensor, zones: &read) else { continue }
                do {
                    _ = try lane.process(header: got, zones: read.span.extracting(0..<64), scratch: &scratch)
                } catch {
                    outcome.rejected += 1
                }
            }
        }
        outcome.totals = ScoreReport.classes.flatMap { crossingClass in
            ScoreReport.directions.map { lane.total(crossingClass, $0) }
        }
        outcome.driver = driver.health
        outcome.injected = sensor.injected
        outcome.presented = sensor.framesPresented
        outcome.gaps = lane.health.sequenceGaps
        return outcome
    }

    @Test("With a clean bus the driver hands on every frame once, and the lane counts as if fed directly")
    func cleanBus() throws {
        let outcome = try Self.run(faultRate: 0, seed: 1)
        outcome.expectClean()
        #expect(outcome.totals.reduce(0, +) > 50)
    }

    @Test("At 1 % of transfers failing, the driver keeps going, counts every fault and never hands on a frame twice")
    func faultyBus() throws {
        let clean = try Self.run(faultRate: 0, seed: 1)
        let faulty = try Self.run(faultRate: 0.01, seed: 7)
        let injected = faulty.injected
        #expect(injected.readNacks > 20 && injected.writeNacks > 5 && injected.garbageReads > 10 && injected.stuckReady > 5)
        faulty.expectFaultsAccounted()
        #expect(faulty.gaps * 1000 < UInt64(faulty.presented))
        let difference = zip(clean.totals, faulty.totals).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        #expect(difference <= 2, "a handful of lost frames moves a count by at most one or two")
    }
}
