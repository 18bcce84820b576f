// A bare-metal program that drives every public entry point of the device modules, so that
// the `--gc-sections` link in Tools/check-embedded keeps their code live: a heap allocation
// anywhere on these paths becomes an undefined symbol and fails the link.
import CrossingCore

@_cdecl("main")
func probeMain(_ argc: Int32, _ argv: UnsafeMutableRawPointer?) -> Int32 {
    Probe.run()
}

enum Probe {
    static func run() -> Int32 {
        guard var lane = try? DepthLaneCounter(config: LaneConfig()) else { return 2 }
        var baseline = TwoZoneCounter()
        var scratch = DepthScratch()
        var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 4000))
        var sequence: UInt32 = 0
        var people: UInt64 = 0
        for frame in 0..<400 {
            paint(&zones, frame: frame)
            let header = FrameHeader(sequence: sequence, timestampUs: UInt64(frame) * 100_000, side: 8)
            sequence &+= frame == 200 ? 2 : 1
            let events = (try? lane.process(header: header, zones: zones.span, scratch: &scratch)) ?? 0
            for index in 0..<events { people &+= UInt64(lane.lastCrossing(index).people) }
            baseline.process(zones: zones.span, side: 8)
        }
        if people != lane.grandTotal { return 5 }
        // A frame with the wrong dimensions must be refused.
        let short = InlineArray<16, ZoneReading>(repeating: ZoneReading(distanceMm: 4000))
        let bad = FrameHeader(sequence: sequence, timestampUs: 90_000_000, side: 8)
        if (try? lane.process(header: bad, zones: short.span, scratch: &scratch)) != nil { return 3 }
        lane.closeOpenBin()
        var binned: UInt64 = 0
        while let bin = lane.popClosedBin() { binned &+= bin.total }
        if binned != lane.grandTotal { return 4 }
        lane.recalibrate()
        let total = lane.grandTotal &+ lane.total(.pedestrian, .outbound) &+ lane.health.sequenceGaps
            &+ UInt64(lane.activeTracks) &+ lane.stuckZoneMask
        return Int32(truncatingIfNeeded: total &+ baseline.towardLastRow &+ baseline.towardFirstRow &+ loops() &+ journal() &+ sensor() &+ device() &+ loopFrontEnd())
    }

    /// A loop pair: a car over A then B every two seconds, loop B opening half way through.
    static func loops() -> UInt64 {
        guard var detector = try? LoopPairDetector(config: LoopConfig()) else { return 1 << 40 }
        var vehicles: UInt64 = 0
        for scan in 0..<4000 {
            let timeUs = UInt64(scan) * 5_000 + 1
            let phase = scan % 400
            let a: Int32 = scan >= 400 && phase >= 20 && phase < 160 ? 2000 : 0
            let b: Int32 = scan >= 400 && phase >= 60 && phase < 200 ? 2000 : 0
            let header = LoopFrameHeader(sequence: UInt32(scan), timestampUs: timeUs)
            let readingA = LoopReading(shiftPpm: a, timestampUs: timeUs)
            let readingB = LoopReading(shiftPpm: b, timestampUs: timeUs + 2_500, status: scan >= 2000 ? .open : .ok)
            let count = (try? detector.process(header: header, a: readingA, b: readingB)) ?? 0
            for index in 0..<count { vehicles &+= UInt64(detector.lastVehicle(index).lengthMm) }
        }
        detector.closeOpenBin()
        while let bin = detector.popClosedBin() { vehicles &+= bin.total }
        return vehicles &+ detector.grandTotal &+ UInt64(detector.faults.b.rawValue) &+ detector.health.chatter
    }

    /// A 1.7 m person walking down the lane every 100 frames, after the floor is learned.
    static func paint(_ zones: inout InlineArray<64, ZoneReading>, frame: Int) {
        let phase = frame % 100
        let row = phase / 4 - 8
        for zone in 0..<64 {
            let zoneRow = zone / 8
            let col = zone % 8
            let inside = frame >= 20 && zoneRow >= row && zoneRow < row + 2 && col >= 3 && col < 5
            zones[zone] = ZoneReading(distanceMm: inside ? 2300 : 4000, status: zone == 9 ? .invalid : .valid)
        }
    }
}
