/// One loop of the pair: its signal, faults, and occupancies waiting for a partner.
struct LoopSide {
    var channel = LoopChannel()
    /// Moving time of this loop's vehicles: runs while this loop's signal changes.
    var clock = MovingClock()
    var faults: LoopFault = []
    /// Vehicles the other loop saw since this loop's last own occupancy, for no-hits.
    var silent: UInt8 = 0
    var queue = IntervalQueue()
    var lastReadingUs: UInt64 = 0
    /// When this loop last finished an occupancy.
    var lastFinishedUs: UInt64 = 0

    /// Not failed: its samples count.
    var working: Bool { faults.isDisjoint(with: .failed) }

    /// Why a reading cannot follow this loop's last one, if it cannot.
    func refusal(_ reading: LoopReading) -> FrameError? {
        reading.timestampUs > lastReadingUs ? nil : .timestampNotIncreasing(lastUs: lastReadingUs, gotUs: reading.timestampUs)
    }

    /// Takes the front end's status. Returns true when the loop has just failed.
    mutating func applyStatus(_ reading: LoopReading) -> Bool {
        lastReadingUs = reading.timestampUs
        let wasWorking = working
        faults.remove(.reported)
        switch reading.status {
        case .ok: break
        case .open: faults.insert(.open)
        case .shorted: faults.insert(.shorted)
        }
        return wasWorking && !working
    }

    mutating func noteChange(_ reading: LoopReading, config: LoopConfig) {
        guard working else { return }
        channel.noteChange(shiftPpm: reading.shiftPpm, timeUs: reading.timestampUs, config: config)
        clock.update(lastChangeUs: channel.lastChangeUs, timeUs: reading.timestampUs, stillMs: config.stillMs)
    }

    /// Samples a working loop. Returns true when an occupancy finished (in `channel.finished`).
    mutating func sample(
        _ reading: LoopReading, movingUs: UInt64, otherMovingUs: UInt64, speedMmPerS: UInt32,
        otherMayHoldSameVehicle: Bool, config: LoopConfig, health: inout LoopHealth
    ) -> Bool {
        guard working else { return false }
        let event = channel.sample(
            shiftPpm: reading.shiftPpm, timeUs: reading.timestampUs, movingUs: movingUs, otherMovingUs: otherMovingUs,
            speedMmPerS: speedMmPerS, otherMayHoldSameVehicle: otherMayHoldSameVehicle, config: config,
            health: &health)
        if case .finished = event { return true }
        return false
    }

    mutating func updateLockedOn() {
        if channel.lockedOn { faults.insert(.lockedOn) } else { faults.remove(.lockedOn) }
    }

    /// Whether this loop may be under the same vehicle as the other loop's occupancy that rose
    /// at `risenAtUs`: it is occupied and has finished none since. A truck's drawbar over one
    /// loop always has the tractor or the trailer over the other. A failed loop cannot tell.
    func mayHoldVehicle(risenAtUs: UInt64?) -> Bool {
        guard working else { return true }
        guard let risenAtUs, channel.openRiseUs != nil else { return false }
        return lastFinishedUs <= risenAtUs
    }

    /// This loop finished an occupancy of its own at `timeUs`: it is not silent.
    mutating func heardOwn(atUs timeUs: UInt64) {
        lastFinishedUs = timeUs
        silent = 0
        faults.remove(.noHits)
    }

    /// The other loop finished one. Returns true when this loop has now failed as no-hits.
    /// A loop occupied meanwhile is not silent: in a queue standing nose to tail, one loop
    /// may stay occupied while the other sees vehicle after vehicle.
    mutating func heardOther(config: LoopConfig) -> Bool {
        if channel.openRiseUs != nil { return false }
        silent &+= 1
        guard silent >= config.noHitsVehiclesMin && working else { return false }
        faults.insert(.noHits)
        return true
    }
}
