/// The counting core for one lane with two inductive loops, A then B along the lane.
///
/// Samples go in, vehicles come out, with direction from which loop rose first, speed from
/// the loop spacing, and length from moving time (see `MovingClock`), as lifetime totals and
/// closed interval bins in the same shape as `DepthLaneCounter`'s. Fixed memory; nothing is
/// allocated after `init`. With one loop failed, the other keeps counting, direction unknown.
public struct LoopPairDetector {
    public private(set) var config: LoopConfig
    var a = LoopSide()
    var b = LoopSide()
    /// Speed of the latest vehicle whose front passed both loops, for the length of gaps.
    var speedMmPerS = LoopPairDetector.assumedSpeedMmPerS
    /// Which way the latest pair went and when its last occupancy ended, for an orphan.
    var lastPair: (aFirst: Bool, endUs: UInt64)?
    /// Room for a failure's flush of a full queue and the occupancy that caused it.
    var vehicles = InlineArray<10, LoopVehicle>(
        repeating: LoopVehicle(
            crossing: CrossingEvent(crossingClass: .car, direction: .unknown, timestampUs: 0),
            vehicleClass: .car, lengthMm: 0, speedMmPerS: 0))
    var vehicleCount = 0
    /// Totals and bins, read through `LaneCore`'s readers.
    public private(set) var tally: Tally
    var order = FrameOrder()
    /// What the pair saw and had to refuse.
    public private(set) var health = LoopHealth()

    /// The speed gaps are timed at before any vehicle has been timed.
    static let assumedSpeedMmPerS: UInt32 = 5000

    /// A detector for a lane, or the first configuration field that is out of range.
    public init(config: LoopConfig) throws(ConfigError) {
        let placeholder = LoopConfig()
        self.config = placeholder
        tally = Tally(intervalMs: placeholder.binIntervalMs)
        try reset(config: config)
    }

    /// Starts the lane afresh for `config`, in place (see `DepthLaneCounter.reset(config:)`).
    /// On a bad config, throws and leaves the detector as it was.
    public mutating func reset(config: LoopConfig) throws(ConfigError) {
        if let error = config.validate() { throw error }
        if Int(config.noHitsVehiclesMin) >= IntervalQueue.capacity {
            throw ConfigError(field: "noHitsVehiclesMin", reason: "must be under 8")
        }
        self.config = config
        a = LoopSide()
        b = LoopSide()
        speedMmPerS = Self.assumedSpeedMmPerS
        lastPair = nil
        // `vehicles` past `vehicleCount` are never read.
        vehicleCount = 0
        tally.reset(intervalMs: config.binIntervalMs)
        order = FrameOrder()
        health = LoopHealth()
    }

    /// Runs `body` on the tally in place (`LaneCore`).
    public mutating func updateTally<Result>(_ body: (inout Tally) -> Result) -> Result { body(&tally) }

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
        tally.advance(toUs: header.timestampUs)
        if a.applyStatus(readingA) { fail(onA: true) }
        if b.applyStatus(readingB) { fail(onA: false) }
        // Motion first, so that an edge in this scan is timed on clocks that know of it.
        a.noteChange(readingA, config: config)
        b.noteChange(readingB, config: config)
        let movingA = a.clock.movingUs(at: readingA.timestampUs)
        let movingB = b.clock.movingUs(at: readingB.timestampUs)
        let bMayHoldA = b.mayHoldVehicle(risenAtUs: a.channel.openRiseUs)
        let aMayHoldB = a.mayHoldVehicle(risenAtUs: b.channel.openRiseUs)
        if a.sample(
            readingA, movingUs: movingA, otherMovingUs: movingB, speedMmPerS: speedMmPerS,
            otherMayHoldSameVehicle: bMayHoldA, config: config, health: &health)
        {
            finished(a.channel.finished, onA: true, timeUs: header.timestampUs)
        }
        if b.sample(
            readingB, movingUs: movingB, otherMovingUs: movingA, speedMmPerS: speedMmPerS,
            otherMayHoldSameVehicle: aMayHoldB, config: config, health: &health)
        {
            finished(b.channel.finished, onA: false, timeUs: header.timestampUs)
        }
        if !a.queue.isEmpty || !b.queue.isEmpty { pairWaiting(nowUs: header.timestampUs) }
        a.updateLockedOn()
        b.updateLockedOn()
        return vehicleCount
    }

    /// The vehicles completed by the last scan processed, oldest first.
    public func lastVehicle(_ index: Int) -> LoopVehicle {
        precondition(index >= 0 && index < vehicleCount)
        return vehicles[index]
    }

    /// The current faults of loop A and loop B.
    public var faults: (a: LoopFault, b: LoopFault) { (a.faults, b.faults) }

    /// A loop that fails hands the other loop's waiting occupancies over to be counted alone.
    private mutating func fail(onA: Bool) {
        health.channelFailures &+= 1
        if onA { a.channel.reset() } else { b.channel.reset() }
        while let interval = onA ? b.queue.popFirst() : a.queue.popFirst() { emitAlone(interval) }
    }

    private mutating func finished(_ interval: LoopInterval, onA: Bool, timeUs: UInt64) {
        if onA { a.heardOwn(atUs: timeUs) } else { b.heardOwn(atUs: timeUs) }
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
    }

    /// Pairs the occupancies waiting on the two loops into vehicles, oldest first, as far as
    /// they can be judged at `nowUs`. Most vehicles are one occupancy on each loop. Vehicles
    /// too close to part on one loop (a queue standing nose to tail) are one long occupancy
    /// there and one each on the other loop: each counts, with the group's direction. An
    /// occupancy whose partner cannot come any more counts alone.
    private mutating func pairWaiting(nowUs: UInt64) {
        let gapUs = UInt64(config.pairGapMaxMs) * 1000
        while true {
            guard let headA = a.queue.first, let headB = b.queue.first else {
                // One loop waits: its partner is late once the other loop has been clear for
                // longer than a vehicle takes between the loops.
                let aWaits = a.queue.first != nil
                guard let head = aWaits ? a.queue.first : b.queue.first else { return }
                let otherRiseUs = aWaits ? b.channel.openRiseUs : a.channel.openRiseUs
                guard otherRiseUs.map({ $0 > head.fallUs + gapUs }) ?? (nowUs > head.fallUs + gapUs) else { return }
                _ = aWaits ? a.queue.popFirst() : b.queue.popFirst()
                emitOrphan(head)
                continue
            }
            let aLeads = headA.riseUs != headB.riseUs ? headA.riseUs < headB.riseUs : headA.fallUs <= headB.fallUs
            let (lead, trail) = aLeads ? (headA, headB) : (headB, headA)
            if trail.riseUs > lead.fallUs + gapUs {
                _ = aLeads ? a.queue.popFirst() : b.queue.popFirst()
                emitOrphan(lead)
                continue
            }
            let firstSpeed = speed(fromMovingUs: lead.riseMovingUs, toMovingUs: trail.riseOtherMovingUs)
            // The trailing loop never cleared between vehicles: each leading occupancy that
            // ended before the trailing one is another vehicle of its group.
            var group = 1
            while let next = aLeads ? a.queue.at(group) : b.queue.at(group), next.fallUs <= trail.fallUs,
                alike(firstSpeed, speed(fromMovingUs: next.fallOtherMovingUs, toMovingUs: trail.fallMovingUs))
            {
                group += 1
            }
            if group > 1 {
                emitGroup(count: group, onLead: true, aLeads: aLeads, firstSpeed: firstSpeed)
                continue
            }
            let leadChannel = aLeads ? a.channel : b.channel
            if let fallUs = leadChannel.closingFallUs, fallUs <= trail.fallUs { return }
            if trail.fallUs < lead.fallUs {
                // The leading loop may not have cleared between vehicles: each trailing
                // occupancy that rose while the leading one lasted is another of its group.
                while let next = aLeads ? b.queue.at(group) : a.queue.at(group), next.riseUs < lead.fallUs,
                    alike(firstSpeed, speed(fromMovingUs: lead.fallOtherMovingUs, toMovingUs: next.fallMovingUs))
                {
                    group += 1
                }
                let queued = aLeads ? b.queue.count : a.queue.count
                let trailRiseUs = aLeads ? b.channel.openRiseUs : a.channel.openRiseUs
                if group == queued, let riseUs = trailRiseUs, riseUs < lead.fallUs { return }
                if group > 1 {
                    emitGroup(count: group, onLead: false, aLeads: aLeads, firstSpeed: firstSpeed)
                    continue
                }
            }
            _ = a.queue.popFirst()
            _ = b.queue.popFirst()
            emitPair(lead: lead, trail: trail, aLeads: aLeads)
        }
    }

    /// Speed over the loop spacing between like edges (fronts or rears), or 0 when they do
    /// not advance. Both edges are read on the clock of the loop the vehicle covers meanwhile:
    /// the leading loop's for the front, the trailing loop's for the rear.
    private func speed(fromMovingUs: UInt64, toMovingUs: UInt64) -> UInt64 {
        let us = toMovingUs.subtractingClamped(fromMovingUs)
        return us > 0 ? UInt64(config.loopSpacingMm) * 1_000_000 / us : 0
    }

    /// A vehicle seen once on each loop: direction from the rise times, speed from both
    /// pairs of edges, length from both occupancies.
    private mutating func emitPair(lead: LoopInterval, trail: LoopInterval, aLeads: Bool) {
        let frontSpeed = speed(fromMovingUs: lead.riseMovingUs, toMovingUs: trail.riseOtherMovingUs)
        let rearSpeed = speed(fromMovingUs: lead.fallOtherMovingUs, toMovingUs: trail.fallMovingUs)
        let speedCount: UInt64 = (frontSpeed > 0 ? 1 : 0) + (rearSpeed > 0 ? 1 : 0)
        if frontSpeed > 0 { speedMmPerS = UInt32(clamping: frontSpeed) }
        let speed = speedCount > 0 ? (frontSpeed + rearSpeed) / speedCount : UInt64(speedMmPerS)
        let travelMm = (lead.travelMm(atSpeed: speed) + trail.travelMm(atSpeed: speed)) / 2
        emitVehicle(
            aFirst: aLeads, speedMmPerS: speed, travelMm: travelMm, joins: max(lead.joins, trail.joins),
            timestampUs: trail.riseUs)
        lastPair = (aFirst: aLeads, endUs: max(lead.fallUs, trail.fallUs))
    }

    /// Whether a group's last speed is plausible beside its first (0 is unknown, and
    /// plausible): within a factor of 8, as one creeping at 1 m/s and the next driving off at
    /// 6 m/s in a queue are, and under 70 m/s. A vehicle that only looks merged with the next,
    /// because the next left the leading loop just before it left the trailing loop, gets an
    /// absurd speed.
    private func alike(_ first: UInt64, _ second: UInt64) -> Bool {
        first == 0 || second == 0 || (second < first * 8 && first < second * 8 && second < 70_000)
    }

    /// `count` vehicles that were one occupancy on one loop (the head of the trailing loop's
    /// queue when `onLead`, else of the leading loop's) and `count` occupancies on the other.
    /// The first takes its speed from the fronts, the last from the rears, any between from
    /// its neighbours; each its length from its own occupancy.
    private mutating func emitGroup(count: Int, onLead: Bool, aLeads: Bool, firstSpeed: UInt64) {
        health.merged &+= UInt64(count - 1)
        guard let shared = (aLeads == onLead ? b.queue.popFirst() : a.queue.popFirst()) else { return }
        var endUs = shared.fallUs
        var previousSpeed = firstSpeed > 0 ? firstSpeed : UInt64(speedMmPerS)
        for index in 0..<count {
            guard let own = aLeads == onLead ? a.queue.popFirst() : b.queue.popFirst() else { return }
            var speed = previousSpeed
            if index == count - 1 {
                let rear = onLead
                    ? self.speed(fromMovingUs: own.fallOtherMovingUs, toMovingUs: shared.fallMovingUs)
                    : self.speed(fromMovingUs: shared.fallOtherMovingUs, toMovingUs: own.fallMovingUs)
                if rear > 0 { speed = rear }
            }
            if index == 0 { speedMmPerS = UInt32(clamping: speed) }
            emitVehicle(
                aFirst: aLeads, speedMmPerS: speed, travelMm: own.travelMm(atSpeed: speed), joins: own.joins,
                timestampUs: index == 0 ? (onLead ? shared.riseUs : own.riseUs) : (onLead ? own.fallUs : own.riseUs))
            previousSpeed = speed
            endUs = max(endUs, own.fallUs)
        }
        lastPair = (aFirst: aLeads, endUs: endUs)
    }

    /// An occupancy whose partner never came. Right after a pair it is that pair's neighbour,
    /// merged with it on the other loop, and goes the same way; otherwise its way is unknown.
    private mutating func emitOrphan(_ interval: LoopInterval) {
        health.unpaired &+= 1
        let gapUs = UInt64(config.pairGapMaxMs) * 1000
        guard let last = lastPair, interval.riseUs <= last.endUs + gapUs else {
            emitAlone(interval)
            return
        }
        emitVehicle(
            aFirst: last.aFirst, speedMmPerS: UInt64(speedMmPerS), travelMm: interval.travelMm(atSpeed: UInt64(speedMmPerS)),
            joins: interval.joins, timestampUs: interval.riseUs)
    }

    /// A vehicle of known direction: its length is the distance it moved while it occupied a
    /// loop, less the loop's sensitive zone.
    private mutating func emitVehicle(
        aFirst: Bool, speedMmPerS speed: UInt64, travelMm: UInt64, joins: UInt8, timestampUs: UInt64
    ) {
        let zoneMm = UInt64(config.loopLengthMm) + UInt64(config.fringeMm)
        let lengthMm = travelMm.subtractingClamped(zoneMm)
        let vehicleClass = classify(lengthMm: lengthMm, joins: joins)
        let outbound = aFirst == config.outboundCrossesAFirst
        emit(LoopVehicle(
            crossing: CrossingEvent(
                crossingClass: vehicleClass.crossingClass, direction: outbound ? .outbound : .inbound,
                timestampUs: timestampUs),
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

extension UInt64 {
    /// `self - other`, or 0 when `other` is larger.
    func subtractingClamped(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
