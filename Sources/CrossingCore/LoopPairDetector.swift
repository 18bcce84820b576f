/// The counting core for one lane with two inductive loops, A then B along the lane.
///
/// Samples go in, vehicles come out, with direction from which loop rose first, speed from
/// the loop spacing, and length from moving time (see `MovingClock`), as lifetime totals and
/// closed interval bins in the same shape as `DepthLaneCounter`'s. Fixed memory; nothing is
/// allocated after `init`. With one loop failed, the other keeps counting, direction unknown.
public struct LoopPairDetector {
    public let config: LoopConfig
    var a = LoopChannel()
    var b = LoopChannel()
    var faultsA: LoopFault = []
    var faultsB: LoopFault = []
    /// Vehicles the other loop saw since each loop's last own occupancy, for no-hits.
    var silentA: UInt8 = 0
    var silentB: UInt8 = 0
    /// Finished occupancies waiting for their partner on the other loop, oldest first.
    var queueA = IntervalQueue()
    var queueB = IntervalQueue()
    var clock = MovingClock()
    /// Speed of the latest vehicle whose front passed both loops, for the length of gaps.
    var speedMmPerS: UInt32 = 5000
    /// Room for a failure's flush of a full queue and the occupancy that caused it.
    var vehicles = InlineArray<10, LoopVehicle>(
        repeating: LoopVehicle(
            crossing: CrossingEvent(crossingClass: .car, direction: .unknown, timestampUs: 0),
            vehicleClass: .car, lengthMm: 0, speedMmPerS: 0))
    var vehicleCount = 0
    var tally: Tally
    var lastSequence: UInt32 = 0
    var lastUs: UInt64 = 0
    var lastReadingUs: (a: UInt64, b: UInt64) = (0, 0)
    var started = false
    /// What the pair saw and had to refuse.
    public private(set) var health = LoopHealth()

    /// A detector for a lane, or the first configuration field that is out of range.
    public init(config: LoopConfig) throws(ConfigError) {
        if let error = config.validate() { throw error }
        if Int(config.noHitsVehiclesMin) >= IntervalQueue.capacity {
            throw ConfigError(field: "noHitsVehiclesMin", reason: "must be under 8")
        }
        self.config = config
        tally = Tally(intervalMs: config.binIntervalMs)
    }

    /// Counts one scan of both loops. Returns the number of vehicles it completed (read them
    /// with `lastVehicle(_:)`). A scan whose sequence or times do not move forward is refused
    /// and changes nothing but `health.samplesRejected`.
    @discardableResult
    public mutating func process(header: LoopFrameHeader, a readingA: LoopReading, b readingB: LoopReading) throws(FrameError) -> Int {
        if let error = check(header: header, a: readingA, b: readingB) {
            health.samplesRejected &+= 1
            throw error
        }
        if started { health.sequenceGaps &+= UInt64(header.sequence &- lastSequence &- 1) }
        started = true
        lastSequence = header.sequence
        lastUs = header.timestampUs
        lastReadingUs = (readingA.timestampUs, readingB.timestampUs)
        health.samplesProcessed &+= 1
        vehicleCount = 0
        tally.advance(toUs: header.timestampUs, binsDropped: &health.binsDropped)

        updateStatus(onA: true, reading: readingA)
        updateStatus(onA: false, reading: readingB)
        // Motion first, so that an edge in this scan is timed on a clock that knows of it.
        if faultsA.isDisjoint(with: .failed) { a.noteChange(shiftPpm: readingA.shiftPpm, timeUs: readingA.timestampUs, config: config) }
        if faultsB.isDisjoint(with: .failed) { b.noteChange(shiftPpm: readingB.shiftPpm, timeUs: readingB.timestampUs, config: config) }
        clock.update(lastChangeUs: max(a.lastChangeUs, b.lastChangeUs), timeUs: header.timestampUs, stillMs: config.stillMs)

        if faultsA.isDisjoint(with: .failed) {
            let event = a.sample(
                shiftPpm: readingA.shiftPpm, timeUs: readingA.timestampUs,
                movingUs: clock.movingUs(at: readingA.timestampUs), speedMmPerS: speedMmPerS, config: config,
                health: &health)
            if case .finished = event { finished(a.finished, onA: true) }
        }
        if faultsB.isDisjoint(with: .failed) {
            let event = b.sample(
                shiftPpm: readingB.shiftPpm, timeUs: readingB.timestampUs,
                movingUs: clock.movingUs(at: readingB.timestampUs), speedMmPerS: speedMmPerS, config: config,
                health: &health)
            if case .finished = event { finished(b.finished, onA: false) }
        }
        faultsA = a.lockedOn ? faultsA.union(.lockedOn) : faultsA.subtracting(.lockedOn)
        faultsB = b.lockedOn ? faultsB.union(.lockedOn) : faultsB.subtracting(.lockedOn)
        return vehicleCount
    }

    /// Lifetime count of one class in one direction.
    public func total(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        tally.totals[cellIndex(crossingClass, direction)]
    }

    /// Sum of all lifetime counts.
    public var grandTotal: UInt64 {
        var sum: UInt64 = 0
        for cell in 0..<Limits.cellsMax { sum += tally.totals[cell] }
        return sum
    }

    /// The vehicles completed by the last scan processed, oldest first.
    public func lastVehicle(_ index: Int) -> LoopVehicle {
        precondition(index >= 0 && index < vehicleCount)
        return vehicles[index]
    }

    /// The current faults of loop A and loop B.
    public var faults: (a: LoopFault, b: LoopFault) { (faultsA, faultsB) }

    /// Takes the oldest closed bin, if any.
    public mutating func popClosedBin() -> IntervalBin? {
        tally.popClosed()
    }

    /// Closes the open bin early, for a clean shutdown.
    public mutating func closeOpenBin() {
        tally.close(binsDropped: &health.binsDropped)
    }

    private func check(header: LoopFrameHeader, a readingA: LoopReading, b readingB: LoopReading) -> FrameError? {
        guard started else { return nil }
        if header.sequence == lastSequence { return .sequenceRepeated(sequence: header.sequence) }
        if header.sequence &- lastSequence > UInt32.max / 2 {
            return .sequenceBackwards(last: lastSequence, got: header.sequence)
        }
        if header.timestampUs <= lastUs { return .timestampNotIncreasing(lastUs: lastUs, gotUs: header.timestampUs) }
        if readingA.timestampUs <= lastReadingUs.a {
            return .timestampNotIncreasing(lastUs: lastReadingUs.a, gotUs: readingA.timestampUs)
        }
        if readingB.timestampUs <= lastReadingUs.b {
            return .timestampNotIncreasing(lastUs: lastReadingUs.b, gotUs: readingB.timestampUs)
        }
        return nil
    }

    /// Applies the front end's status to a channel. A channel that fails hands the other
    /// loop's waiting occupancies over to be counted alone.
    private mutating func updateStatus(onA: Bool, reading: LoopReading) {
        var faults = onA ? faultsA : faultsB
        let wasFailed = !faults.isDisjoint(with: .failed)
        faults.remove(.reported)
        switch reading.status {
        case .ok: break
        case .open: faults.insert(.open)
        case .shorted: faults.insert(.shorted)
        }
        if onA { faultsA = faults } else { faultsB = faults }
        if !faults.isDisjoint(with: .failed) && !wasFailed { fail(onA: onA) }
    }

    private mutating func fail(onA: Bool) {
        health.channelFailures &+= 1
        if onA {
            a.reset()
            while let interval = queueB.popFirst() { emitAlone(interval) }
        } else {
            b.reset()
            while let interval = queueA.popFirst() { emitAlone(interval) }
        }
    }

    private mutating func finished(_ interval: LoopInterval, onA: Bool) {
        if onA {
            silentA = 0
            faultsA.remove(.noHits)
            silentB &+= 1
            if silentB >= config.noHitsVehiclesMin && faultsB.isDisjoint(with: .failed) {
                faultsB.insert(.noHits)
                fail(onA: false)
            }
        } else {
            silentB = 0
            faultsB.remove(.noHits)
            silentA &+= 1
            if silentA >= config.noHitsVehiclesMin && faultsA.isDisjoint(with: .failed) {
                faultsA.insert(.noHits)
                fail(onA: true)
            }
        }
        let otherFailed = !(onA ? faultsB : faultsA).isDisjoint(with: .failed)
        if otherFailed {
            emitAlone(interval)
            return
        }
        // Never lose a vehicle: an occupancy pushed out unpaired is counted from one loop.
        if let evicted = onA ? queueA.push(interval) : queueB.push(interval) {
            health.unpaired &+= 1
            emitAlone(evicted)
        }
        while !queueA.isEmpty && !queueB.isEmpty {
            guard let first = queueA.popFirst(), let second = queueB.popFirst() else { break }
            emitPair(a: first, b: second)
        }
    }

    /// A vehicle seen on both loops: direction from the rise times, speed from the spacing,
    /// length from moving time.
    private mutating func emitPair(a first: LoopInterval, b second: LoopInterval) {
        let aFirst = first.riseUs != second.riseUs ? first.riseUs < second.riseUs : first.fallUs <= second.fallUs
        let outbound = aFirst == config.outboundCrossesAFirst
        let (leading, trailing) = aFirst ? (first, second) : (second, first)
        let spacingMm = UInt64(config.loopSpacingMm)
        let frontUs = trailing.riseMovingUs.subtractingClamped(leading.riseMovingUs)
        let rearUs = trailing.fallMovingUs.subtractingClamped(leading.fallMovingUs)
        var speeds: UInt64 = 0
        var speedCount: UInt64 = 0
        if frontUs > 0 { speeds += spacingMm * 1_000_000 / frontUs; speedCount += 1 }
        if rearUs > 0 { speeds += spacingMm * 1_000_000 / rearUs; speedCount += 1 }
        let speed = speedCount > 0 ? speeds / speedCount : 0
        if frontUs > 0 { speedMmPerS = UInt32(clamping: spacingMm * 1_000_000 / frontUs) }
        let occupiedUs = (first.fallMovingUs.subtractingClamped(first.riseMovingUs)
            + second.fallMovingUs.subtractingClamped(second.riseMovingUs)) / 2
        let zoneMm = UInt64(config.loopLengthMm) + UInt64(config.fringeMm)
        let lengthMm = (speed * occupiedUs / 1_000_000).subtractingClamped(zoneMm)
        let joins = max(first.joins, second.joins)
        let vehicleClass = classify(lengthMm: lengthMm, joins: joins)
        emit(LoopVehicle(
            crossing: CrossingEvent(
                crossingClass: vehicleClass.crossingClass, direction: outbound ? .outbound : .inbound,
                timestampUs: trailing.riseUs),
            vehicleClass: vehicleClass, lengthMm: UInt32(clamping: lengthMm), speedMmPerS: UInt32(clamping: speed)))
    }

    /// A vehicle seen on one loop only: no direction, no speed, so no length.
    private mutating func emitAlone(_ interval: LoopInterval) {
        health.singleLoopVehicles &+= 1
        let vehicleClass: LoopVehicleClass =
            interval.joins > 0 ? .truckWithTrailer
            : interval.peakPpm < Int32(config.singleLoopBicyclePeakMaxPpm) ? .bicycleOrMotorcycle : .car
        emit(LoopVehicle(
            crossing: CrossingEvent(crossingClass: vehicleClass.crossingClass, direction: .unknown, timestampUs: interval.riseUs),
            vehicleClass: vehicleClass, lengthMm: 0, speedMmPerS: 0))
    }

    private mutating func emit(_ vehicle: LoopVehicle) {
        tally.add(vehicle.crossing)
        precondition(vehicleCount < 10, "a scan completes at most a flushed queue and one more")
        vehicles[vehicleCount] = vehicle
        vehicleCount += 1
    }

    private func classify(lengthMm: UInt64, joins: UInt8) -> LoopVehicleClass {
        if lengthMm < UInt64(config.bicycleLengthMaxMm) { return .bicycleOrMotorcycle }
        if lengthMm < UInt64(config.carLengthMaxMm) { return joins > 0 ? .truckWithTrailer : .car }
        if lengthMm < UInt64(config.vanLengthMaxMm) { return joins > 0 ? .truckWithTrailer : .van }
        if lengthMm < UInt64(config.busLengthMaxMm) && joins == 0 { return .bus }
        return .truckWithTrailer
    }
}

/// Finished occupancies of one loop waiting for their partners, oldest first.
struct IntervalQueue {
    static let capacity = 8
    private var items = InlineArray<8, LoopInterval>(repeating: LoopInterval())
    private var count = 0

    var isEmpty: Bool { count == 0 }

    /// Appends; when full, first takes out and returns the oldest.
    mutating func push(_ interval: LoopInterval) -> LoopInterval? {
        var evicted: LoopInterval?
        if count == IntervalQueue.capacity { evicted = popFirst() }
        items[count] = interval
        count += 1
        return evicted
    }

    mutating func popFirst() -> LoopInterval? {
        guard count > 0 else { return nil }
        let first = items[0]
        for index in 1..<IntervalQueue.capacity { items[index - 1] = items[index] }
        count -= 1
        return first
    }
}

extension UInt64 {
    /// `self - other`, or 0 when `other` is larger.
    func subtractingClamped(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
