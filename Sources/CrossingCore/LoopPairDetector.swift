/// The counting core for one lane with two inductive loops, A then B along the lane.
///
/// Samples go in, vehicles come out, with direction from which loop rose first, speed from
/// the loop spacing, and length from moving time (see `MovingClock`), as lifetime totals and
/// closed interval bins in the same shape as `DepthLaneCounter`'s. Fixed memory; nothing is
/// allocated after `init`. With one loop failed, the other keeps counting, direction unknown.
public struct LoopPairDetector {
    public let config: LoopConfig
    var a = LoopSide()
    var b = LoopSide()
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
    var order = FrameOrder()
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
        let missed: UInt32
        do throws(FrameError) {
            missed = try order.check(sequence: header.sequence, timestampUs: header.timestampUs)
            if order.hasFrame, let error = a.refusal(readingA) ?? b.refusal(readingB) { throw error }
        } catch {
            health.samplesRejected &+= 1
            throw error
        }
        order.accept(sequence: header.sequence, timestampUs: header.timestampUs)
        health.sequenceGaps &+= UInt64(missed)
        health.samplesProcessed &+= 1
        vehicleCount = 0
        tally.advance(toUs: header.timestampUs, binsDropped: &health.binsDropped)
        if a.applyStatus(readingA) { fail(onA: true) }
        if b.applyStatus(readingB) { fail(onA: false) }
        // Motion first, so that an edge in this scan is timed on a clock that knows of it.
        a.noteChange(readingA, config: config)
        b.noteChange(readingB, config: config)
        clock.update(
            lastChangeUs: max(a.channel.lastChangeUs, b.channel.lastChangeUs), timeUs: header.timestampUs,
            stillMs: config.stillMs)
        if a.sample(readingA, clock: clock, speedMmPerS: speedMmPerS, config: config, health: &health) {
            finished(a.channel.finished, onA: true)
        }
        if b.sample(readingB, clock: clock, speedMmPerS: speedMmPerS, config: config, health: &health) {
            finished(b.channel.finished, onA: false)
        }
        a.updateLockedOn()
        b.updateLockedOn()
        return vehicleCount
    }

    /// Lifetime count of one class in one direction.
    public func total(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        tally.total(crossingClass, direction)
    }

    /// Sum of all lifetime counts.
    public var grandTotal: UInt64 { tally.grandTotal }

    /// The vehicles completed by the last scan processed, oldest first.
    public func lastVehicle(_ index: Int) -> LoopVehicle {
        precondition(index >= 0 && index < vehicleCount)
        return vehicles[index]
    }

    /// The current faults of loop A and loop B.
    public var faults: (a: LoopFault, b: LoopFault) { (a.faults, b.faults) }

    /// Takes the oldest closed bin, if any.
    public mutating func popClosedBin() -> IntervalBin? {
        tally.popClosed()
    }

    /// Closes the open bin early, for a clean shutdown.
    public mutating func closeOpenBin() {
        tally.close(binsDropped: &health.binsDropped)
    }

    /// A loop that fails hands the other loop's waiting occupancies over to be counted alone.
    private mutating func fail(onA: Bool) {
        health.channelFailures &+= 1
        if onA { a.channel.reset() } else { b.channel.reset() }
        while let interval = onA ? b.queue.popFirst() : a.queue.popFirst() { emitAlone(interval) }
    }

    private mutating func finished(_ interval: LoopInterval, onA: Bool) {
        if onA { a.heardOwn() } else { b.heardOwn() }
        if onA ? b.heardOther(config: config) : a.heardOther(config: config) { fail(onA: !onA) }
        if !(onA ? b.working : a.working) {
            emitAlone(interval)
            return
        }
        // Never lose a vehicle: an occupancy pushed out unpaired is counted from one loop.
        if let evicted = onA ? a.queue.push(interval) : b.queue.push(interval) {
            health.unpaired &+= 1
            emitAlone(evicted)
        }
        while let first = a.queue.first, let second = b.queue.first {
            _ = a.queue.popFirst()
            _ = b.queue.popFirst()
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
        let frontSpeed = frontUs > 0 ? spacingMm * 1_000_000 / frontUs : 0
        let rearSpeed = rearUs > 0 ? spacingMm * 1_000_000 / rearUs : 0
        let speedCount: UInt64 = (frontUs > 0 ? 1 : 0) + (rearUs > 0 ? 1 : 0)
        let speed = speedCount > 0 ? (frontSpeed + rearSpeed) / speedCount : 0
        if frontUs > 0 { speedMmPerS = UInt32(clamping: frontSpeed) }
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

/// One loop of the pair: its signal, faults, and occupancies waiting for a partner.
struct LoopSide {
    var channel = LoopChannel()
    var faults: LoopFault = []
    /// Vehicles the other loop saw since this loop's last own occupancy, for no-hits.
    var silent: UInt8 = 0
    var queue = IntervalQueue()
    var lastReadingUs: UInt64 = 0

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
        if working { channel.noteChange(shiftPpm: reading.shiftPpm, timeUs: reading.timestampUs, config: config) }
    }

    /// Samples a working loop. Returns true when an occupancy finished (in `channel.finished`).
    mutating func sample(
        _ reading: LoopReading, clock: MovingClock, speedMmPerS: UInt32, config: LoopConfig, health: inout LoopHealth
    ) -> Bool {
        guard working else { return false }
        let event = channel.sample(
            shiftPpm: reading.shiftPpm, timeUs: reading.timestampUs, movingUs: clock.movingUs(at: reading.timestampUs),
            speedMmPerS: speedMmPerS, config: config, health: &health)
        if case .finished = event { return true }
        return false
    }

    mutating func updateLockedOn() {
        if channel.lockedOn { faults.insert(.lockedOn) } else { faults.remove(.lockedOn) }
    }

    /// This loop finished an occupancy of its own: it is not silent.
    mutating func heardOwn() {
        silent = 0
        faults.remove(.noHits)
    }

    /// The other loop finished one. Returns true when this loop has now failed as no-hits.
    mutating func heardOther(config: LoopConfig) -> Bool {
        silent &+= 1
        guard silent >= config.noHitsVehiclesMin && working else { return false }
        faults.insert(.noHits)
        return true
    }
}

/// Finished occupancies of one loop waiting for their partners, oldest first.
struct IntervalQueue {
    static let capacity = 8
    private var items = InlineArray<8, LoopInterval>(repeating: LoopInterval())
    private var count = 0

    var first: LoopInterval? { count > 0 ? items[0] : nil }

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
