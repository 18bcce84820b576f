/// One loop's occupancy of one vehicle: when its front entered the sensitive zone and when its
/// rear left, in real time and on the pair's clock of moving time.
struct LoopInterval: BitwiseCopyable {
    var riseUs: UInt64 = 0
    var fallUs: UInt64 = 0
    var riseMovingUs: UInt64 = 0
    var fallMovingUs: UInt64 = 0
    var peakPpm: Int32 = 0
    /// Occupancies joined across a trailer's drawbar.
    var joins: UInt8 = 0
}

/// What happened on a channel at one sample.
enum LoopChannelEvent {
    case none
    /// An occupancy ended for good (not a drawbar gap); it is in `LoopChannel.finished`.
    case finished
    /// An occupancy too short to be a vehicle was dropped.
    case chatter
}

/// One loop's signal: its baseline, presence with hysteresis, and the edges of each occupancy.
///
/// The baseline follows drift only while the loop is clear, so a vehicle standing on it for
/// hours stays a vehicle. Edge times are interpolated between samples to where the shift
/// crossed `onPpm`, so rise and fall are measured at the same level.
struct LoopChannel {
    private var baselineQ8: Int64 = 0
    private var learnSumPpm: Int64 = 0
    private var learned: UInt16 = 0
    private(set) var occupied = false
    /// An occupancy that ended but may resume across a drawbar.
    private var closing = false
    private var run: UInt8 = 0
    private var previousDeltaPpm: Int32 = 0
    private var previousUs: UInt64 = 0
    private var previousMovingUs: UInt64 = 0
    /// Where the shift last crossed `onPpm` upward and downward.
    private var upUs: UInt64 = 0
    private var upMovingUs: UInt64 = 0
    private var downUs: UInt64 = 0
    private var downMovingUs: UInt64 = 0
    private var gapMinPpm: Int32 = 0
    private var current = LoopInterval()
    private(set) var finished = LoopInterval()
    /// The signal at its last change of at least `movingPpm`, and when.
    private var referencePpm: Int32 = 0
    private(set) var lastChangeUs: UInt64 = 0
    /// Set while the current occupancy has lasted past `lockedOnLimitS`.
    private(set) var lockedOn = false

    var isLearning: Bool { learned != UInt16.max }
    /// Notes whether the signal moved by `movingPpm` since its last change: metal moving over
    /// the loop. Called before `sample` for the same reading.
    mutating func noteChange(shiftPpm: Int32, timeUs: UInt64, config: LoopConfig) {
        if isLearning { return }
        if (Int64(shiftPpm) - Int64(referencePpm)).magnitude >= UInt64(config.movingPpm) {
            referencePpm = shiftPpm
            lastChangeUs = timeUs
        }
    }

    /// Takes one sample. `movingUs` is the pair's moving clock at this sample's time and
    /// `speedMmPerS` the speed of the vehicle on the pair, for the length of a gap.
    mutating func sample(
        shiftPpm: Int32, timeUs: UInt64, movingUs: UInt64, speedMmPerS: UInt32, config: LoopConfig,
        health: inout LoopHealth
    ) -> LoopChannelEvent {
        if isLearning {
            learnSumPpm += Int64(shiftPpm)
            learned += 1
            if learned == config.learnSamples {
                baselineQ8 = learnSumPpm * 256 / Int64(learned)
                learned = UInt16.max
                referencePpm = shiftPpm
            }
            return .none
        }
        let deltaPpm = Int32(clamping: Int64(shiftPpm) - baselineQ8 / 256)
        let on = Int32(config.onPpm)
        if previousDeltaPpm < on && deltaPpm >= on {
            (upUs, upMovingUs) = crossing(at: on, deltaPpm: deltaPpm, timeUs: timeUs, movingUs: movingUs)
        } else if previousDeltaPpm >= on && deltaPpm < on {
            (downUs, downMovingUs) = crossing(at: on, deltaPpm: deltaPpm, timeUs: timeUs, movingUs: movingUs)
        }
        previousDeltaPpm = deltaPpm
        previousUs = timeUs
        previousMovingUs = movingUs
        var event = LoopChannelEvent.none
        if occupied {
            current.peakPpm = max(current.peakPpm, deltaPpm)
            run = deltaPpm < Int32(config.offPpm) ? run &+ 1 : 0
            if run >= config.offSamples {
                occupied = false
                closing = true
                run = 0
                current.fallUs = downUs
                current.fallMovingUs = downMovingUs
                gapMinPpm = deltaPpm
            } else if !lockedOn && timeUs - current.riseUs > UInt64(config.lockedOnLimitS) * 1_000_000 {
                lockedOn = true
                health.lockedOn &+= 1
            }
        } else {
            run = deltaPpm >= on ? run &+ 1 : 0
            if run >= config.onSamples {
                run = 0
                occupied = true
                if closing {
                    closing = false
                    current.joins &+= 1
                    health.trailersJoined &+= 1
                } else {
                    current = LoopInterval()
                    current.riseUs = upUs
                    current.riseMovingUs = upMovingUs
                    current.peakPpm = deltaPpm
                }
            } else if closing {
                gapMinPpm = min(gapMinPpm, deltaPpm)
                let gapMm = movingUs.subtractingClamped(current.fallMovingUs) * UInt64(speedMmPerS) / 1_000_000
                if gapMinPpm < Int32(config.couplingPpm) || gapMm > UInt64(config.trailerGapMaxMm) {
                    closing = false
                    lockedOn = false
                    if current.fallUs.subtractingClamped(current.riseUs) < UInt64(config.chatterMaxMs) * 1000 {
                        health.chatter &+= 1
                        event = .chatter
                    } else {
                        finished = current
                        event = .finished
                    }
                }
            }
            if !closing { follow(shiftPpm: shiftPpm, deltaPpm: deltaPpm, config: config) }
        }
        return event
    }

    /// Forgets any occupancy in progress (the channel failed under it).
    mutating func reset() {
        occupied = false
        closing = false
        run = 0
        lockedOn = false
    }

    /// Lets the baseline follow slow drift while the loop is clear.
    private mutating func follow(shiftPpm: Int32, deltaPpm: Int32, config: LoopConfig) {
        guard run == 0 && deltaPpm.magnitude < UInt32(config.offPpm) else { return }
        baselineQ8 += (Int64(shiftPpm) * 256 - baselineQ8) >> Int64(config.driftShift)
    }

    /// Time and moving time where the signal passed `level` between the last sample and this.
    private func crossing(at level: Int32, deltaPpm: Int32, timeUs: UInt64, movingUs: UInt64) -> (UInt64, UInt64) {
        let span = Int64(deltaPpm) - Int64(previousDeltaPpm)
        guard span != 0, previousUs > 0, timeUs > previousUs else { return (timeUs, movingUs) }
        let fractionQ16 = (Int64(level) - Int64(previousDeltaPpm)) * 65536 / span
        let f = UInt64(max(0, min(65536, fractionQ16)))
        let time = previousUs + (timeUs - previousUs) * f / 65536
        let moving = previousMovingUs + movingUs.subtractingClamped(previousMovingUs) * f / 65536
        return (time, moving)
    }
}
