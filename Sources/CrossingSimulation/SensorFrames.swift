import CrossingCore

/// Turns a lane's simulation into the frames its sensor delivers: each zone's report as the
/// part forms it (`DepthPart`), then noise, failed and dead zones, spikes, dropped frames and
/// sequence gaps, all drawn from the run's seed.
struct SensorFrames {
    let sensor: SensorSpec
    let renderer: DepthRenderer
    let part: DepthPart
    private var random: SplitMix64
    private var hits: [RayHit]
    private var zoneHits: [RayHit] = []
    private let rangeFactors: [Double]
    /// Each zone's chance of reporting the bare floor: most zones of most frames see only it.
    private let floorDetection: [Double]
    private var deadMask = [Bool]()
    private(set) var sequence: UInt32 = 0
    private var spareNormal: Double?

    init(sensor: SensorSpec, random: SplitMix64) {
        self.sensor = sensor
        renderer = DepthRenderer(
            side: sensor.grid, mountHeightM: sensor.mountHeightM, fieldOfViewDeg: sensor.fieldOfViewDeg,
            floorReflectance: sensor.floorReflectance)
        part = DepthPart(grid: sensor.grid, ambient: sensor.ambient, coverageMin: sensor.coverageMin)
        self.random = random
        let zones = sensor.grid * sensor.grid
        hits = [RayHit](repeating: RayHit(distanceM: 0, reflectance: 0), count: zones * DepthRenderer.raysPerZone)
        rangeFactors = renderer.zoneRangeFactors
        let floor = RayHit(distanceM: sensor.mountHeightM, reflectance: sensor.floorReflectance)
        floorDetection = rangeFactors.map { [part] in DepthPart.detection(strength: part.strength(floor, rangeFactor: $0)) }
        deadMask = [Bool](repeating: false, count: zones)
        for zone in sensor.deadZones { deadMask[zone] = true }
    }

    /// The frame captured at `timeS`, or nil when the sensor dropped it (its sequence number
    /// is used up all the same, so the counter sees the gap).
    mutating func capture(_ bodies: [PlacedBody], timeS: Double, into zones: inout [ZoneReading]) -> FrameHeader? {
        let sequenceNow = sequence
        sequence &+= 1
        if random.chance(sensor.sequenceGapRate) { sequence &+= UInt32(1 + random.next() % 3) }
        if random.chance(sensor.droppedFrameRate) { return nil }
        renderer.render(bodies, into: &hits)
        for zone in 0..<zones.count {
            if deadMask[zone] || random.chance(sensor.invalidRate) {
                zones[zone] = ZoneReading(distanceMm: 0, status: .invalid)
                continue
            }
            guard let distanceM = report(zone) else {
                zones[zone] = ZoneReading(distanceMm: 0, status: .noTarget)
                continue
            }
            var distanceMm = distanceM * 1000 + normal() * sensor.noiseSigmaMm
            if random.chance(sensor.spikeRate) { distanceMm = random.uniform(200...(distanceM * 1000)) }
            zones[zone] = distanceMm < 1
                ? ZoneReading(distanceMm: 0, status: .invalid)
                : ZoneReading(distanceMm: UInt16(min(distanceMm.rounded(), 65_000)))
        }
        return FrameHeader(
            sequence: sequenceNow, timestampUs: UInt64((timeS * 1_000_000).rounded()), side: UInt8(sensor.grid))
    }

    /// The distance the zone reports, in metres, or nil for no target.
    private mutating func report(_ zone: Int) -> Double? {
        let rays = DepthRenderer.raysPerZone
        let first = zone * rays
        var onlyFloor = true
        for ray in first..<(first + rays) where hits[ray].distanceM < sensor.mountHeightM { onlyFloor = false }
        if onlyFloor { return random.unit() < floorDetection[zone] ? sensor.mountHeightM : nil }
        zoneHits.removeAll(keepingCapacity: true)
        zoneHits.append(contentsOf: hits[first..<(first + rays)])
        return part.report(&zoneHits, rangeFactor: rangeFactors[zone], random: &random)
    }

    /// Standard normal deviates, two per Box-Muller draw.
    private mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let (first, second) = random.normalPair()
        spareNormal = second
        return first
    }
}
