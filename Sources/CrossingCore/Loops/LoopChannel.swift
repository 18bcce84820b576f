/// One loop's occupancy of one vehicle: when its front entered the sensitive zone and when its
/// rear left, in real time, on this loop's clock of moving time and on the other loop's.
struct LoopInterval: BitwiseCopyable {
    var riseUs: UInt64 = 0
    var fallUs: UInt64 = 0
    var riseMovingUs: UInt64 = 0
    var fallMovingUs: UInt64 = 0
    var riseOtherMovingUs: UInt64 = 0
    var fallOtherMovingUs: UInt64 = 0
    var peakPpm: Int32 = 0
    /// Occupancies joined across a trailer's drawbar.
    var joins: UInt8 = 0

    var movingOccupancyUs: UInt64 { fallMovingUs.subtractingClamped(riseMovingUs) }

    /// How far the vehicle moved while it occupied the loop, at one speed throughout: speeds
    /// split at stops did worse in simulated queues, where a vehicle stops several times.
    func travelMm(atSpeed speed: UInt64) -> UInt64 { speed * movingOccupancyUs / 1_000_000 }
}

/// The two loops' clocks of moving time at one instant.
struct MovingTimes: BitwiseCopyable {
    var own: UInt64 = 0
    var other: UInt64 = 0
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
    /// Samples left of fast baseline following after an occupancy.
    private var catchUpSamples: UInt16 = 0
    private(set) var occupied = false
    /// An occupancy that ended but may resume across a drawbar.
    private var closing = false
    private var run: UInt8 = 0
    private var previousDeltaPpm: Int32 = 0
    private var previousUs: UInt64 = 0
    private var previousMoving = MovingTimes()
    /// Where the shift last crossed `onPpm` upward and downward.
    private var upUs: UInt64 = 0
    private var upMoving = MovingTimes()
    private var downUs: UInt64 = 0
    private var downMoving = MovingTimes()
    private var gapMinPpm: Int32 = 0
    private var current = LoopInterval()
    private(set) var finished = LoopInterval()
    /// The signal at the last change, and when it was.
    private var referencePpm: Int32 = 0
    /// Whether the previous sample was already `movingPpm` away from the reference.
    private var departing = false
    private(set) var lastChangeUs: UInt64 = 0
    /// Set while the current occupancy has lasted past `lockedOnLimitS`.
    private(set) var lockedOn = false

    var isLearning: Bool { learned != UInt16.max }
    /// When the occupancy in progress rose, if one is (including one waiting out a drawbar gap).
    var openRiseUs: UInt64? { occupied || closing ? current.riseUs : nil }
    /// When the occupancy waiting out a drawbar gap fell, if one is.
    var closingFallUs: UInt64? { closing ? current.fallUs : nil }

    /// Notes whether metal moved over the loop since the last change: the signal stayed
    /// `movingPpm` away from the last change for two samples (noise alone is one), or moved
    /// `onPpm` at once. The second test has no lag, so an edge, itself a move of `onPpm`, is
    /// never timed before the motion that made it. Called before `sample` for the same reading.
    mutating func noteChange(shiftPpm: Int32, timeUs: UInt64, config: LoopConfig) {
        if isLearning { return }
        let away = (Int64(shiftPpm) - Int64(referencePpm)).magnitude
        let moved = away >= UInt64(config.movingPpm)
        if (moved && departing) || away >= UInt64(config.onPpm) {
            referencePpm = shiftPpm
            lastChangeUs = timeUs
            departing = false
        } else {
            departing = moved
        }
    }

    /// Takes one sample. `movingUs` and `otherMovingUs` are this loop's and the other loop's
    /// moving clocks at this sample's time, and `speedMmPerS` the speed of the vehicle on the
    /// pair, for the length of a gap. `otherMayHoldSameVehicle` is false once the other loop
    /// shows that this loop's vehicle is gone: a gap is then not a drawbar.
    mutating func sample(
        shiftPpm: Int32, timeUs: UInt64, movingUs: UInt64, otherMovingUs: UInt64, speedMmPerS: UInt32,
        otherMayHoldSameVehicle: Bool, config: LoopConfig, health: inout LoopHealth
    ) -> LoopChannelEvent {
        let moving = MovingTimes(own: movingUs, other: otherMovingUs)
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
            (upUs, upMoving) = crossing(at: on, deltaPpm: deltaPpm, timeUs: timeUs, moving: moving)
        } else if previousDeltaPpm >= on && deltaPpm < on {
            (downUs, downMoving) = crossing(at: on, deltaPpm: deltaPpm, timeUs: timeUs, moving: moving)
        }
        previousDeltaPpm = deltaPpm
        previousUs = timeUs
        previousMoving = moving
        var event = LoopChannelEvent.none
        if occupied {
            current.peakPpm = max(current.peakPpm, deltaPpm)
            run = deltaPpm < Int32(config.offPpm) ? run &+ 1 : 0
            if run >= config.offSamples {
                occupied = false
                closing = true
                run = 0
                current.fallUs = downUs
                current.fallMovingUs = downMoving.own
                current.fallOtherMovingUs = downMoving.other
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
                    current.riseMovingUs = upMoving.own
                    current.riseOtherMovingUs = upMoving.other
                    current.peakPpm = deltaPpm
                }
            } else if closing {
                gapMinPpm = min(gapMinPpm, deltaPpm)
                let gapMm = movingUs.subtractingClamped(current.fallMovingUs) * UInt64(speedMmPerS) / 1_000_000
                if !otherMayHoldSameVehicle || gapMinPpm < Int32(config.couplingPpm)
                    || gapMm > UInt64(config.trailerGapMaxMm)
                {
                    closing = false
                    catchUpSamples = config.learnSamples
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

    /// Lets the baseline follow slow drift while the loop is clear. For `learnSamples` after
    /// an occupancy it catches up fast: the loop drifted unseen under the vehicle, and in a
    /// queue the next one may come within a second or two.
    private mutating func follow(shiftPpm: Int32, deltaPpm: Int32, config: LoopConfig) {
        guard run == 0 && deltaPpm.magnitude < UInt32(config.offPpm) else { return }
        var shift = Int64(config.driftShift)
        if catchUpSamples > 0 {
            catchUpSamples -= 1
            shift = min(shift, 7)
        }
        baselineQ8 += (Int64(shiftPpm) * 256 - baselineQ8) >> shift
    }

    /// Time and moving times where the signal passed `level` between the last sample and this.
    private func crossing(at level: Int32, deltaPpm: Int32, timeUs: UInt64, moving: MovingTimes) -> (UInt64, MovingTimes) {
        let span = Int64(deltaPpm) - Int64(previousDeltaPpm)
        guard span != 0, previousUs > 0, timeUs > previousUs else { return (timeUs, moving) }
        let fractionQ16 = (Int64(level) - Int64(previousDeltaPpm)) * 65536 / span
        let f = UInt64(max(0, min(65536, fractionQ16)))
        func between(_ from: UInt64, _ to: UInt64) -> UInt64 { from + to.subtractingClamped(from) * f / 65536 }
        return (
            between(previousUs, timeUs),
            MovingTimes(own: between(previousMoving.own, moving.own), other: between(previousMoving.other, moving.other))
        )
    }
}
