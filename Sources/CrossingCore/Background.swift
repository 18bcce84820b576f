/// Each zone's floor distance, learned at start and kept current while the zone is empty.
///
/// Rules, from the field notes on why counters drift and double count:
/// - An occupied zone is never absorbed into the floor, however long it stays: a queued car or a
///   waiting person stays an object. Past `stuckLimitS` the zone is flagged in health instead.
/// - A zone that reads clearly deeper than its floor for several frames re-learns the floor at
///   once, so a device that booted with a car under it recovers when the car leaves.
/// - An invalid reading holds the zone's last height for a few frames, so one dropout does not
///   split a standing person into two.
struct Background {
    /// Floor distance (radial, as the zone measures it) in mm with 8 fractional bits.
    var floorQ8 = InlineArray<64, Int32>(repeating: 0)
    /// Valid readings learned so far; the zone takes part once this reaches `learnFrames`.
    var learned = InlineArray<64, UInt8>(repeating: 0)
    var holdMm = InlineArray<64, Int16>(repeating: 0)
    var holdAge = InlineArray<64, UInt8>(repeating: 0)
    var deeperRun = InlineArray<64, UInt8>(repeating: 0)
    var occupiedSinceS = InlineArray<64, UInt32>(repeating: Background.notOccupied)
    /// Zones flagged as occupied past the stuck limit, bit per zone.
    var stuckMask: UInt64 = 0

    static let notOccupied = UInt32.max
    /// Empty readings within this of the floor update it; larger rises below the object
    /// threshold (feet, bags) leave it alone.
    static let updateGateMm: Int32 = 100
    /// A reading this much deeper than the floor is evidence the learned floor was wrong.
    static let deeperGateMm: Int32 = 150
    static let deeperRunMax: UInt8 = 8
    /// Floor update weight 1/128 per empty frame: seconds-scale drift, millimetre noise.
    static let floorShift: Int32 = 7

    /// Turns one frame into heights above the floor (vertical mm, 0 where empty or unknown).
    mutating func update(
        zones: Span<ZoneReading>,
        timeS: UInt32,
        config: LaneConfig,
        geometry: LaneGeometry,
        heights: inout InlineArray<64, Int16>,
        health: inout Health
    ) {
        precondition(zones.count == geometry.zoneCount)
        let thresholdMm = Int32(config.objectMinHeightMm)
        var invalid: UInt64 = 0
        var saturated: UInt64 = 0
        for zone in 0..<geometry.zoneCount {
            let reading = zones[zone]
            if reading.status != .valid {
                if reading.status == .saturated { saturated &+= 1 } else { invalid &+= 1 }
                heights[zone] = hold(zone: zone, config: config)
                continue
            }
            let distanceMm = Int32(reading.distanceMm)
            if learned[zone] < config.learnFrames {
                learn(zone: zone, distanceMm: distanceMm)
                heights[zone] = 0
                continue
            }
            let floorMm = floorQ8[zone] >> 8
            let riseMm = floorMm - distanceMm
            if riseMm >= thresholdMm {
                heights[zone] = occupied(zone: zone, riseMm: riseMm, floorMm: floorMm, geometry: geometry)
                markOccupied(zone: zone, timeS: timeS, config: config, health: &health)
                continue
            }
            heights[zone] = 0
            holdAge[zone] = UInt8.max
            occupiedSinceS[zone] = Background.notOccupied
            stuckMask &= ~(UInt64(1) << UInt64(zone))
            if riseMm < -Background.deeperGateMm {
                deeper(zone: zone, distanceMm: distanceMm, health: &health)
            } else {
                deeperRun[zone] = 0
                if riseMm < Background.updateGateMm {
                    floorQ8[zone] &+= ((distanceMm << 8) &- floorQ8[zone]) >> Background.floorShift
                }
            }
        }
        health.invalidZones &+= invalid
        health.saturatedZones &+= saturated
    }

    /// Forgets the floor everywhere, for an operator-requested recalibration.
    mutating func forget() {
        self = Background()
    }

    @inline(__always)
    private mutating func hold(zone: Int, config: LaneConfig) -> Int16 {
        let age = holdAge[zone]
        if age < config.holdFramesMax {
            holdAge[zone] = age &+ 1
            return holdMm[zone]
        }
        return 0
    }

    private mutating func learn(zone: Int, distanceMm: Int32) {
        // Running mean: learned count is at most 200, so the product stays inside Int32.
        let count = Int32(learned[zone])
        floorQ8[zone] = (floorQ8[zone] &* count &+ (distanceMm << 8)) / (count &+ 1)
        learned[zone] &+= 1
    }

    /// The vertical height of an occupied zone. Zones off the axis measure along a slanted ray;
    /// the learned floor gives the slant (floor / mount height), so no trigonometry is needed.
    private mutating func occupied(zone: Int, riseMm: Int32, floorMm: Int32, geometry: LaneGeometry) -> Int16 {
        precondition(floorMm > 0 && riseMm > 0)
        let heightMm = min(riseMm &* geometry.mountHeightMm / floorMm, Int32(Int16.max))
        holdMm[zone] = Int16(heightMm)
        holdAge[zone] = 0
        deeperRun[zone] = 0
        return Int16(heightMm)
    }

    private mutating func markOccupied(zone: Int, timeS: UInt32, config: LaneConfig, health: inout Health) {
        let since = occupiedSinceS[zone]
        if since == Background.notOccupied {
            occupiedSinceS[zone] = timeS
            return
        }
        let bit = UInt64(1) << UInt64(zone)
        if timeS &- since >= config.stuckLimitS && stuckMask & bit == 0 {
            stuckMask |= bit
            health.zonesStuck &+= 1
        }
    }

    private mutating func deeper(zone: Int, distanceMm: Int32, health: inout Health) {
        deeperRun[zone] &+= 1
        if deeperRun[zone] >= Background.deeperRunMax {
            floorQ8[zone] = distanceMm << 8
            deeperRun[zone] = 0
            health.floorRelearned &+= 1
        }
    }
}
