/// Each zone's floor distance, learned at start and kept current while the zone is empty.
///
/// Rules, from the field notes on why counters drift and double count:
/// - An occupied zone is never absorbed into the floor, however long it stays: a queued car or a
///   waiting person stays an object. Past `stuckLimitS` the zone is flagged in health instead.
/// - A zone that reads clearly deeper than its floor for several frames re-learns the floor at
///   once, so a device that booted with a car under it recovers when the car leaves.
/// - An invalid reading holds the zone's last height for a few frames, so one dropout does not
///   split a standing person into two, but only in a zone whose floor returns.
/// - A no-target reading is empty floor: the part reached no surface, so nothing stands in the
///   zone. Where the floor is beyond reach, it is what a zone reads the frame after someone
///   leaves it, and a held height there would trail everyone with a ghost; so it never holds,
///   and nor does an invalid reading in a zone that mostly reads nothing (a front end that
///   reports no return as invalid). A zone whose floor never returns learns the mount height as
///   its floor, which is where the floor is, since the part reports perpendicular distances.
///
/// Most zones of most frames are plain floor. One branch-free pass over the frame handles
/// those (a floor update) and marks the rest, which a second pass visits one by one. Per-zone
/// state that only matters for the rare cases (hold, occupancy clock, deeper run) is guarded
/// by masks, so the plain pass clears it with one mask operation instead of a store per zone.
struct Background {
    /// Floor distance per zone (perpendicular, as the part reports it) in mm with 8 fractional bits.
    var floorQ8 = InlineArray<64, Int32>(repeating: 0)
    /// Per zone: readings learned so far, until the zone is ready; then its no-return score,
    /// which readings without a return raise and floor returns lower (one byte serves both,
    /// which matters on the board's RAM).
    var learned = InlineArray<64, UInt8>(repeating: 0)
    var holdMm = InlineArray<64, Int16>(repeating: 0)
    var holdAge = InlineArray<64, UInt8>(repeating: 0)
    var deeperRun = InlineArray<64, UInt8>(repeating: 0)
    var occupiedSinceS = InlineArray<64, UInt32>(repeating: 0)
    /// Zones whose floor is learned and that take part in segmentation.
    var readyMask: UInt64 = 0
    /// Zones with a height to hold through invalid readings (`holdMm`, `holdAge` are valid).
    var holdMask: UInt64 = 0
    /// Zones whose occupancy clock runs (`occupiedSinceS` is valid).
    var clockMask: UInt64 = 0
    /// Zones counting deeper-than-floor readings (`deeperRun` is valid).
    var deeperMask: UInt64 = 0
    /// Zones flagged as occupied past the stuck limit.
    var stuckMask: UInt64 = 0

    /// Empty readings within this of the floor update it; larger rises below the object
    /// threshold (feet, bags) leave it alone.
    static let updateGateMm: Int32 = 100
    /// A reading this much deeper than the floor is evidence the learned floor was wrong.
    static let deeperGateMm: Int32 = 150
    static let deeperRunMax: UInt8 = 8
    /// Floor update weight 1/128 per empty frame: seconds-scale drift, millimetre noise.
    static let floorShift: Int32 = 7
    /// A ready zone whose no-return score is at least this reads nothing when empty: its
    /// invalid readings are empty floor, not dropouts. The score stops at `noReturnScoreMax`, so
    /// a zone whose floor comes back in reach (night falls) holds dropouts again within frames.
    static let noReturnScoreMin: UInt8 = 8
    static let noReturnScoreMax: UInt8 = 15

    /// Turns one frame into heights above the floor (vertical mm) for the zones it returns in
    /// its mask of occupied zones; heights of other zones are left stale and must not be read.
    mutating func update(
        readings: Span<ZoneReading>,
        timeUs: UInt64,
        config: LaneConfig,
        geometry: LaneGeometry,
        heights: inout InlineArray<64, Int16>,
        health: inout Health
    ) -> UInt64 {
        precondition(readings.count == geometry.zoneCount && geometry.zoneCount <= Limits.zonesMax)
        let plain = updatePlainZones(readings: readings)
        holdMask &= ~plain
        clockMask &= ~plain
        deeperMask &= ~plain
        var occupied: UInt64 = 0
        let zoneMask = geometry.zoneCount == 64 ? UInt64.max : bit64(geometry.zoneCount) &- 1
        for zone in SetBits(~plain & zoneMask) {
            if let heightMm = updateRareZone(zone, reading: readings[zone], config: config, geometry: geometry, health: &health) {
                heights[zone] = heightMm
                occupied |= bit64(zone)
            }
        }
        stuckMask &= occupied
        if occupied != 0 { markStuck(occupied: occupied, timeUs: timeUs, config: config, health: &health) }
        return occupied
    }

    /// The branch-free pass: every ready zone reading valid within the update gate of its
    /// floor moves its floor 1/128 of the way to the reading; a ready zone with no target keeps
    /// its floor. Returns those zones.
    private mutating func updatePlainZones(readings: Span<ZoneReading>) -> UInt64 {
        var plain: UInt64 = 0
        let ready = readyMask
        var floors = floorQ8.mutableSpan
        var scores = learned.mutableSpan
        // The zone's bit, moved along by a constant shift: cheap on a 32-bit core.
        var bit: UInt64 = 1
        for zone in 0..<readings.count {
            let reading = readings[unchecked: zone]
            let floor = floors[unchecked: zone]
            let differenceQ8 = (Int32(reading.distanceMm) &<< 8) &- floor
            let isPlain = reading.status == .valid
                && differenceQ8 > -(Background.updateGateMm << 8)
                && differenceQ8 <= Background.deeperGateMm << 8
                && ready & bit != 0
            let isEmpty = reading.status == .noTarget && ready & bit != 0
            floors[unchecked: zone] = isPlain ? floor &+ (differenceQ8 &>> Background.floorShift) : floor
            let score = scores[unchecked: zone]
            let raise: UInt8 = isEmpty && score < Background.noReturnScoreMax ? 1 : 0
            let lower: UInt8 = isPlain && score > 0 ? 1 : 0
            scores[unchecked: zone] = score &+ raise &- lower
            plain |= isPlain || isEmpty ? bit : 0
            bit &<<= 1
        }
        return plain
    }

    /// Everything but plain floor: learning, invalid readings, objects, deeper readings.
    /// Returns the zone's height when it is occupied (or holds a height through a dropout).
    private mutating func updateRareZone(
        _ zone: Int, reading: ZoneReading, config: LaneConfig, geometry: LaneGeometry, health: inout Health
    ) -> Int16? {
        let bit = bit64(zone)
        switch reading.status {
        case .valid, .noTarget: break
        case .invalid, .saturated:
            if reading.status == .saturated { health.saturatedZones &+= 1 } else { health.invalidZones &+= 1 }
            if readyMask & bit == 0 { break }
            if learned[zone] < Background.noReturnScoreMax { learned[zone] &+= 1 }
            if learned[zone] >= Background.noReturnScoreMin {
                holdMask &= ~bit
                clockMask &= ~bit
                return nil
            }
            guard holdMask & bit != 0 && holdAge[zone] < config.holdFramesMax else { return nil }
            holdAge[zone] &+= 1
            return holdMm[zone]
        }
        let distanceMm = reading.status == .valid ? Int32(reading.distanceMm) : geometry.mountHeightMm
        if readyMask & bit == 0 {
            // Running mean: at most 200 readings, so the product stays inside Int32.
            let count = Int32(learned[zone])
            floorQ8[zone] = (floorQ8[zone] &* count &+ (distanceMm &<< 8)) / (count &+ 1)
            learned[zone] &+= 1
            if learned[zone] >= config.learnFrames {
                readyMask |= bit
                learned[zone] = 0
            }
            return nil
        }
        let floorMm = floorQ8[zone] &>> 8
        let riseMm = floorMm &- distanceMm
        if riseMm >= Int32(config.objectMinHeightMm) {
            // Distances are perpendicular to the sensor's face, so the rise is the height.
            let heightMm = Int16(min(riseMm, Int32(Int16.max)))
            holdMm[zone] = heightMm
            holdAge[zone] = 0
            holdMask |= bit
            deeperMask &= ~bit
            return heightMm
        }
        holdMask &= ~bit
        clockMask &= ~bit
        if riseMm >= -Background.deeperGateMm {
            deeperMask &= ~bit
            return nil
        }
        let run = deeperMask & bit == 0 ? 1 : deeperRun[zone] &+ 1
        deeperMask |= bit
        deeperRun[zone] = run
        if run >= Background.deeperRunMax {
            floorQ8[zone] = distanceMm &<< 8
            deeperMask &= ~bit
            health.floorRelearned &+= 1
        }
        return nil
    }

    /// Forgets the floor everywhere, for an operator-requested recalibration.
    /// In place, without a second copy of the state on the stack: a board boots its lanes in
    /// static memory (docs/embedded.md, "Stack").
    mutating func forget() {
        for zone in 0..<Limits.zonesMax {
            floorQ8[zone] = 0
            learned[zone] = 0
            holdMm[zone] = 0
            holdAge[zone] = 0
            deeperRun[zone] = 0
            occupiedSinceS[zone] = 0
        }
        readyMask = 0
        holdMask = 0
        clockMask = 0
        deeperMask = 0
        stuckMask = 0
    }

    /// Starts or checks the occupancy clock of every occupied zone.
    private mutating func markStuck(occupied: UInt64, timeUs: UInt64, config: LaneConfig, health: inout Health) {
        let timeS = UInt32(truncatingIfNeeded: timeUs / 1_000_000)
        for zone in SetBits(occupied) {
            let bit = bit64(zone)
            if clockMask & bit == 0 {
                clockMask |= bit
                occupiedSinceS[zone] = timeS
                continue
            }
            if timeS &- occupiedSinceS[zone] >= config.stuckLimitS && stuckMask & bit == 0 {
                stuckMask |= bit
                health.zonesStuck &+= 1
            }
        }
    }
}
