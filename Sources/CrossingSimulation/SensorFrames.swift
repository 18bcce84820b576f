import CrossingCore

/// Turns a lane's simulation into the frames its sensor delivers: noise, invalid and dead
/// zones, spikes, dropped frames and sequence gaps, all drawn from the run's seed.
struct SensorFrames {
    let sensor: SensorSpec
    let renderer: DepthRenderer
    private var random: SplitMix64
    private var distancesM: [Double]
    private var deadMask = [Bool]()
    private(set) var sequence: UInt32 = 0
    private var spareNormal: Double?

    init(sensor: SensorSpec, random: SplitMix64) {
        self.sensor = sensor
        renderer = DepthRenderer(side: sensor.grid, mountHeightM: sensor.mountHeightM, fieldOfViewDeg: sensor.fieldOfViewDeg)
        self.random = random
        distancesM = [Double](repeating: 0, count: sensor.grid * sensor.grid)
        deadMask = [Bool](repeating: false, count: sensor.grid * sensor.grid)
        for zone in sensor.deadZones { deadMask[zone] = true }
    }

    /// The frame captured at `timeS`, or nil when the sensor dropped it (its sequence number
    /// is used up all the same, so the counter sees the gap).
    mutating func capture(_ bodies: [PlacedBody], timeS: Double, into zones: inout [ZoneReading]) -> FrameHeader? {
        let sequenceNow = sequence
        sequence &+= 1
        if random.chance(sensor.sequenceGapRate) { sequence &+= UInt32(1 + random.next() % 3) }
        if random.chance(sensor.droppedFrameRate) { return nil }
        renderer.render(bodies, into: &distancesM)
        let rangeMaxMm = sensor.rangeMaxM * 1000
        for zone in 0..<zones.count {
            var distanceMm = distancesM[zone] * 1000 + normal() * sensor.noiseSigmaMm
            if random.chance(sensor.spikeRate) { distanceMm = random.uniform(200...(distancesM[zone] * 1000)) }
            if deadMask[zone] || random.chance(sensor.invalidRate) || distanceMm > rangeMaxMm || distanceMm <= 0 {
                zones[zone] = ZoneReading(distanceMm: 0, status: .invalid)
            } else {
                zones[zone] = ZoneReading(distanceMm: UInt16(min(distanceMm.rounded(), 65_535)))
            }
        }
        return FrameHeader(
            sequence: sequenceNow, timestampUs: UInt64((timeS * 1_000_000).rounded()), side: UInt8(sensor.grid))
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
