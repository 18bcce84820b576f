/// The configuration of one lane's pair of inductive loops, A and B, one after the other
/// along the lane. Distances in millimetres, shifts in parts per million of the rest frequency.
public struct LoopConfig: Sendable, Equatable {
    /// Samples per second per channel.
    public var sampleRateHz: UInt16 = 200
    /// Length of each loop along the lane.
    public var loopLengthMm: UInt16 = 1500
    /// From loop A's leading edge to loop B's.
    public var loopSpacingMm: UInt16 = 4000
    /// Vehicles that cross loop A first are outbound (true) or inbound (false).
    public var outboundCrossesAFirst = true
    /// Presence begins when the shift rises this far above the baseline for `onSamples`
    /// samples, and ends when it stays under `offPpm` for `offSamples`. The lowest metal that
    /// must count is a bicycle's: 100-200 ppm over a 1.5 m loop.
    public var onPpm: UInt16 = 60
    public var offPpm: UInt16 = 35
    public var onSamples: UInt8 = 2
    public var offSamples: UInt8 = 6
    /// Samples averaged for the first baseline.
    public var learnSamples: UInt16 = 200
    /// The baseline follows the clear signal with a time constant of 2^driftShift samples
    /// (about 80 s at 200 Hz). It never moves while the loop is occupied, however long.
    public var driftShift: UInt8 = 14
    /// A loop occupied longer than this is flagged locked-on. Its vehicle still counts once,
    /// when it leaves: there is no presence timeout to retune the loop under it.
    public var lockedOnLimitS: UInt32 = 600
    /// A loop that goes clear and occupied again within this distance, while the signal never
    /// fell back to `couplingPpm`, was under a trailer's drawbar, not between two vehicles.
    public var trailerGapMaxMm: UInt16 = 2500
    public var couplingPpm: UInt16 = 12
    /// A loop's vehicle moved when its signal changed this much for two samples; a loop with
    /// no change for `stillMs` is standing, and its clock of moving time takes the stillness
    /// back. A stop shorter than `stillMs` counts as moving.
    public var movingPpm: UInt16 = 15
    public var stillMs: UInt16 = 2000
    /// What the sensitive zone adds to a loop's length: a vehicle occupies a loop from when its
    /// front is this far ahead of the loop's leading edge (minus the loop) until its rear is
    /// as far past the trailing edge. Calibrated per installation: a car's low floor passes the
    /// detection level about 50 mm beyond each edge of the default loop.
    public var fringeMm: UInt16 = 100
    /// One vehicle's front reaches the second loop before, or at most this long after, its
    /// rear leaves the first (a bicycle clears the gap between default loops in 0.2 m). An
    /// occupancy with no partner within it is counted alone.
    public var pairGapMaxMs: UInt16 = 3000
    /// An occupancy shorter than this (at any speed, 30 ms covers under 1 m at 100 km/h) is
    /// chatter, not a vehicle.
    public var chatterMaxMs: UInt16 = 30
    /// A channel that stays silent while the other sees this many vehicles is flagged no-hits
    /// and treated as failed.
    public var noHitsVehiclesMin: UInt8 = 6
    /// Longest length of each class; longer than `busLengthMaxMm` is a truck with trailer.
    public var bicycleLengthMaxMm: UInt32 = 2600
    public var carLengthMaxMm: UInt32 = 5700
    public var vanLengthMaxMm: UInt32 = 7500
    public var busLengthMaxMm: UInt32 = 14000
    /// With one loop failed there is no speed: a vehicle whose peak shift is under this is a
    /// bicycle or motorcycle, anything else a car.
    public var singleLoopBicyclePeakMaxPpm: UInt16 = 600
    /// Length of an interval bin.
    public var binIntervalMs: UInt32 = 60_000

    public init() {}

    /// The first field that is out of range, or nil when the configuration is usable.
    public func validate() -> ConfigError? {
        if sampleRateHz < 20 || sampleRateHz > 2000 {
            return ConfigError(field: "sampleRateHz", reason: "must be 20...2000")
        }
        if loopLengthMm < 500 || loopLengthMm > 6000 {
            return ConfigError(field: "loopLengthMm", reason: "must be 500...6000")
        }
        if loopSpacingMm <= loopLengthMm || loopSpacingMm > 20000 {
            return ConfigError(field: "loopSpacingMm", reason: "must exceed loopLengthMm, at most 20000")
        }
        if offPpm == 0 || offPpm >= onPpm { return ConfigError(field: "offPpm", reason: "must be 1 and under onPpm") }
        if onSamples == 0 || offSamples == 0 {
            return ConfigError(field: "onSamples", reason: "onSamples and offSamples must be at least 1")
        }
        if learnSamples == 0 { return ConfigError(field: "learnSamples", reason: "must be at least 1") }
        if driftShift < 4 || driftShift > 24 { return ConfigError(field: "driftShift", reason: "must be 4...24") }
        if lockedOnLimitS < 10 { return ConfigError(field: "lockedOnLimitS", reason: "must be at least 10") }
        if couplingPpm >= offPpm { return ConfigError(field: "couplingPpm", reason: "must be under offPpm") }
        if movingPpm == 0 { return ConfigError(field: "movingPpm", reason: "must be at least 1") }
        if pairGapMaxMs < 500 { return ConfigError(field: "pairGapMaxMs", reason: "must be at least 500") }
        if stillMs < 50 { return ConfigError(field: "stillMs", reason: "must be at least 50") }
        if noHitsVehiclesMin < 2 { return ConfigError(field: "noHitsVehiclesMin", reason: "must be at least 2") }
        if !(bicycleLengthMaxMm < carLengthMaxMm && carLengthMaxMm < vanLengthMaxMm && vanLengthMaxMm < busLengthMaxMm) {
            return ConfigError(field: "bicycleLengthMaxMm", reason: "class lengths must increase")
        }
        if binIntervalMs < 1000 || binIntervalMs > 86_400_000 {
            return ConfigError(field: "binIntervalMs", reason: "must be 1000...86400000")
        }
        return nil
    }
}
