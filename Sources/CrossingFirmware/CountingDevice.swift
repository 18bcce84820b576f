import CrossingCore
import CrossingDevice

/// The device's outbox: 32 closed bins (eight minutes of four lanes' one-minute bins) before
/// it merges the oldest into coarser ones, which keeps every count (`Outbox`). 2.8 KB of RAM.
public typealias DeviceOutbox = Outbox<32>

/// A depth lane: the sensor's driver and the counting core behind it.
struct DepthLane {
    // Pool slots start on the default configs, which are valid; boot resets the slots it uses.
    var driver = DepthSensorDriver(address: 0)
    var counter = try! DepthLaneCounter(config: LaneConfig())
}

/// A loop lane: the front end's driver and the loop-pair detector behind it.
struct LoopLane {
    var driver = LoopFrontEndDriver(address: 0)
    var detector = try! LoopPairDetector(config: LoopConfig())
}

/// The counting device: up to four lanes, each a sensor on the bus with its counting core,
/// run by a main loop that calls `tick`, with totals kept in a journal.
///
/// Flash holds the config record in sector `configSector`, the outbox log in the last
/// `outboxSectors`, and the journal in the sectors between. Boot reads the config, restores each
/// lane's totals and last frame counted from the journal, and counts on after that frame: after
/// a power cut the totals are those of the last commit, and no frame already in them is counted
/// again. Counts made after the last commit are lost with the power;
/// `DeviceConfig.persistIntervalS` bounds how many. Boot reconciles the totals with the bins
/// the outbox log holds, so that every count in them leaves the device in exactly one bin
/// (docs/journal.md, "Totals and bins agree").
public struct CountingDevice<Storage: Flash, Bus: SensorBus, Dog: Watchdog, Time: Clock, Light: Indicator, Net: Link> {
    public static var configSector: Int { 0 }
    public static var outboxSectors: Int { 4 }
    /// A sensor silent this long is flagged in health and on the indicator.
    public static var silentAfterUs: UInt64 { 2_000_000 }

    /// `var` to be booted in place and handed to the export `inout`, to be read in place.
    public private(set) var config = DeviceConfig()
    public private(set) var journal: Journal<Storage>
    public var bus: Bus
    public var watchdog: Dog
    public var clock: Time
    public var indicator: Light
    /// The link to the export target.
    public var link: Net
    public private(set) var health = DeviceHealth()
    /// Closed bins not yet acknowledged by the export target.
    public private(set) var outbox = DeviceOutbox()
    /// The export, used when the config names an `http://` or `tcp://` target (`exporting`).
    private var exporter = Exporter()
    private var exporting = false

    /// Whether the config names an export target.
    public var exports: Bool { exporting }
    /// What the export has done, when there is one. For hosts: it copies the device.
    public var exportHealth: ExportHealth? { exporting ? exporter.health : nil }

    /// Whether the export has a request under way, read in place.
    public var exportBusy: Bool {
        mutating get { exporting && exporter.isBusy }
    }
    public private(set) var wallTime = WallTime()
    private var outboxLog: OutboxLog
    /// The outbox's settled sequence number the log has recorded.
    private var loggedSettledSeq: UInt32 = 0
    /// The outbox log's next entry at the last commit: a commit follows within a sector of
    /// entries, while the log still holds every bin closed since (`OutboxLog.restore`).
    private var logEntryAtCommit: UInt32 = 0
    private var bootUs: UInt64 = 0
    /// The journal's flash, for an emulator to cut the power or carry the bytes over a reboot.
    public var flash: Storage {
        get { journal.flash }
        set { journal.flash = newValue }
    }

    /// Lane pools: only the first of each that the config uses are booted and read.
    private var depthLanes = InlineArray<2, DepthLane>(repeating: DepthLane())
    private var loopLanes = InlineArray<2, LoopLane>(repeating: LoopLane())
    /// Per lane: its place in `depthLanes` or `loopLanes`, the last frame counted, and when a
    /// frame last came.
    private var pool = InlineArray<4, Int>(repeating: 0)
    private var lastCounted = InlineArray<4, UInt32>(repeating: 0)
    private var lastFrameUs = InlineArray<4, UInt64>(repeating: 0)
    /// Bit n set: lane n has a depth sensor.
    private var depthMask: UInt8 = 0
    private var lastPersistUs: UInt64 = 0
    private var unpersisted = false
    private var shown = IndicatorPattern.off
    private var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
    private var depthScratch = DepthScratch()
    private var payload = JournalPayload(repeating: 0xFF)

    /// The device on its parts, not booted yet: `boot()` starts it.
    public init(parts flash: Storage, bus: Bus, watchdog: Dog, clock: Time, indicator: Light, link: Net) {
        journal = Journal(unlaid: flash)
        self.bus = bus
        self.watchdog = watchdog
        self.clock = clock
        self.indicator = indicator
        self.link = link
        outboxLog = Self.outboxLog(on: flash)
    }

    /// The device on its parts, booted (see `boot()`).
    public init(flash: Storage, bus: Bus, watchdog: Dog, clock: Time, indicator: Light, link: Net) throws(BootError) {
        self.init(parts: flash, bus: bus, watchdog: watchdog, clock: clock, indicator: indicator, link: link)
        try boot()
    }

    /// Provisions the device on its flash: `build` sets up the config in the device's own
    /// config, which then goes to flash as its config record (`ConfigRecord.write`), for
    /// `boot()` to read. In place, for a rig or a factory station running on the device
    /// (docs/embedded.md, "Stack").
    public mutating func provision(_ build: (inout DeviceConfig) -> Void) throws(RecordError) {
        config.reset()
        build(&config)
        try ConfigRecord.write(&config, to: &journal.flash, sector: Self.configSector)
    }

    /// Boots on the parts it has: reads the config record, lays out the journal, restores
    /// what it holds, and starts counting after the last frame it kept of each lane.
    ///
    /// Every part of the state that counting reads is set here, in place, from the flash and
    /// the clock alone, whatever it held before: so a board boots the device in static memory
    /// (which starts as zero bytes), where building a new device would need copies of its
    /// tens of KB on the stack (docs/embedded.md, "Stack").
    public mutating func boot() throws(BootError) {
        let flash = journal.flash
        do throws(RecordError) {
            try ConfigRecord.read(from: flash, sector: Self.configSector, into: &config)
        } catch {
            throw .config(error)
        }
        do throws(JournalError) {
            journal = try Journal(
                flash: flash, firstSector: Self.configSector + 1,
                sectors: flash.sectorCount - Self.configSector - 1 - Self.outboxSectors)
        } catch {
            throw .journal(error)
        }
        outboxLog = Self.outboxLog(on: flash)
        health = DeviceHealth()
        wallTime = WallTime()
        var seed = CRC32()
        config.device.update(&seed)
        exporting = exporter.reset(config: &config, seed: seed.value)
        outbox.reset()
        var closings = LaneClosings()
        let lanesKept = try restoreJournal(closings: &closings)
        bootLanes(lanesKept: lanesKept, closings: &closings)
        let nowUs = clock.nowUs()
        bootUs = nowUs
        lastPersistUs = nowUs
        unpersisted = false
        shown = .off
        for lane in 0..<config.laneCount { lastFrameUs[lane] = nowUs }
    }

    /// Boot's restore: the newest journal snapshot into `payload` (returning how many lanes it
    /// keeps, nil when there is none), the outbox from its log, and the bins closed since the
    /// snapshot into `closings`. Never inlined, nor is `bootLanes`, so that their stack frames
    /// do not add up.
    @inline(never) private mutating func restoreJournal(closings: inout LaneClosings) throws(BootError) -> Int? {
        do throws(FlashError) {
            var lanesKept: Int?
            if let length = try journal.restore(into: &payload) {
                lanesKept = DeviceSnapshot.laneCount(in: payload.span, length: length)
            }
            // With no snapshot, every record the log holds was numbered since the first boot.
            let nextRecordSeq = lanesKept == nil ? 1 : DeviceSnapshot.nextRecordSeq(in: payload.span)
            let highest = try outboxLog.restore(
                from: journal.flash, into: &outbox, closingsFrom: nextRecordSeq, closings: &closings)
            outbox.numberFrom(max(nextRecordSeq, highest &+ 1))
            // Any record put back may have reached the target before the power failed.
            outbox.freezeAll()
            loggedSettledSeq = outbox.settledThroughSeq
            logEntryAtCommit = outboxLog.nextEntry
            return lanesKept
        } catch {
            throw .flash(error)
        }
    }

    /// Boot's lanes: each lane of the config started afresh in its pool, with the totals and
    /// last frame the snapshot in `payload` kept for it (of `lanesKept`), reconciled with the
    /// bins it closed since (`closings`).
    @inline(never) private mutating func bootLanes(lanesKept: Int?, closings: inout LaneClosings) {
        depthMask = 0
        var depthUsed = 0
        var loopsUsed = 0
        for lane in 0..<config.laneCount {
            let spec = config.lane(lane)
            let kept = lanesKept.flatMap {
                DeviceSnapshot.find(nameCRC: Self.nameCRC(spec), kind: Self.kind(spec), lanes: $0, in: payload.span)
            }
            let lastSequence = kept.map { DeviceSnapshot.lastSequence(lane: $0, in: payload.span) }
            // With no snapshot, every lane starts from nothing and every bin in the log was
            // counted since. The log numbers records by lane position: its bins are this
            // lane's only when the snapshot kept the lane in the same place.
            let from = Restore(kept: kept, fresh: lanesKept == nil)
            let closed = (kept == lane || from.fresh) && closings.closed(lane: lane) ? lane : nil
            if let laneConfig = config.depthConfig(lane) {
                Self.start(
                    &depthLanes[depthUsed].counter, config: laneConfig, from: from, snapshot: payload.span,
                    closed: closed, closings: closings)
                depthLanes[depthUsed].driver = DepthSensorDriver(address: spec.address, lastSequence: lastSequence)
                pool[lane] = depthUsed
                depthMask |= 1 << UInt8(lane)
                depthUsed += 1
            } else if let loopConfig = config.loopConfig(lane) {
                Self.start(
                    &loopLanes[loopsUsed].detector, config: loopConfig, from: from, snapshot: payload.span,
                    closed: closed, closings: closings)
                loopLanes[loopsUsed].driver = LoopFrontEndDriver(address: spec.address, lastSequence: lastSequence)
                pool[lane] = loopsUsed
                loopsUsed += 1
            }
            lastCounted[lane] = lastSequence ?? 0
            if lastSequence != nil { health.lanesRestored += 1 }
        }
    }

    /// One turn of the main loop: kick the watchdog, poll each lane's sensor once and count
    /// what it delivered, move closed bins to the outbox and its log, commit a snapshot (with
    /// counts not yet committed) when a bin closed at least half a bin after the last commit
    /// or the persist interval has passed, and take one step of the export. At most one frame
    /// per lane, one commit and one export step per tick. A `.powerLost` error means the
    /// device is down until it boots again.
    public mutating func tick() throws(FlashError) {
        watchdog.kick()
        health.ticks &+= 1
        let nowUs = clock.nowUs()
        var binClosed = false
        for lane in 0..<config.laneCount {
            if poll(lane: lane) {
                lastFrameUs[lane] = nowUs
                unpersisted = true
            }
            binClosed = try drainClosedBins(lane: lane) || binClosed
        }
        updateHealth(nowUs: nowUs)
        // Lanes close the same bin a few frames apart: one commit covers them all, not one
        // each, which would wear the flash four times as fast.
        let sinceUs = nowUs &- lastPersistUs
        let binDue = binClosed && sinceUs >= UInt64(config.binIntervalS) * 500_000
        let logDue = outboxLog.nextEntry &- logEntryAtCommit >= UInt32(outboxLog.entriesPerSector)
        if logDue || unpersisted && (binDue || sinceUs >= UInt64(config.persistIntervalS) * 1_000_000) {
            try persist()
        }
        try stampRecords()
        if exporting {
            let figures = figures(nowUs: nowUs)
            exporter.step(link: &link, outbox: &outbox, wall: &wallTime, config: &config, figures: figures, nowUs: nowUs)
        }
        if outbox.settledThroughSeq != loggedSettledSeq {
            try outboxLog.appendAck(through: outbox.settledThroughSeq, flash: &journal.flash, outbox: &outbox)
            loggedSettledSeq = outbox.settledThroughSeq
        }
    }

    /// Stamps the records closed before the device knew wall time, and logs them again with
    /// their stamps: a resend after a reboot must carry the same timestamp, or a store would
    /// keep both.
    private mutating func stampRecords() throws(FlashError) {
        guard let offsetNs = wallTime.offsetNs else { return }
        for index in outbox.stamp(offsetNs: offsetNs) {
            try outboxLog.append(outbox.record(index), flash: &journal.flash, outbox: &outbox)
        }
    }

    private mutating func figures(nowUs: UInt64) -> HealthFigures {
        var figures = HealthFigures()
        figures.uptimeS = Int64((nowUs &- bootUs) / 1_000_000)
        for lane in 0..<config.laneCount {
            let driver = readDriverHealth(lane: lane)
            figures.frames &+= Int64(truncatingIfNeeded: driver.frames)
            figures.busErrors &+= Int64(truncatingIfNeeded: driver.busErrors)
        }
        figures.framesRejected = Int64(truncatingIfNeeded: health.framesRejected)
        figures.journalCommits = Int64(truncatingIfNeeded: health.commits)
        figures.silentLanes = Int64(health.silentLanes)
        return figures
    }

    /// Commits every lane's totals, last frame counted and counts not yet in the outbox now.
    public mutating func persist() throws(FlashError) {
        let length = DeviceSnapshot.putHeader(lanes: config.laneCount, nextRecordSeq: outbox.nextSeq, in: &payload)
        for lane in 0..<config.laneCount {
            let pending = readUnexported(lane: lane)
            DeviceSnapshot.putLane(
                lane, nameCRC: Self.nameCRC(config.lane(lane)), kind: Self.kind(config.lane(lane)),
                lastSequence: lastCounted[lane], pending: pending, in: &payload)
            for c in 0..<4 {
                for d in 0..<3 {
                    let total = readTotal(lane: lane, DeviceSnapshot.classes[c], DeviceSnapshot.directions[d])
                    DeviceSnapshot.putTotal(total, lane: lane, cell: c * 3 + d, in: &payload)
                }
            }
        }
        try journal.commit(payload.span.extracting(0..<length))
        health.commits &+= 1
        logEntryAtCommit = outboxLog.nextEntry
        lastPersistUs = clock.nowUs()
        unpersisted = false
    }

    /// Closes every lane's open bin early and hands it to the outbox, for a clean shutdown:
    /// then the export carries every count made.
    public mutating func closeBins() throws(FlashError) {
        for lane in 0..<config.laneCount {
            if isDepth(lane) {
                depthLanes[pool[lane]].counter.closeOpenBin()
            } else {
                loopLanes[pool[lane]].detector.closeOpenBin()
            }
            _ = try drainClosedBins(lane: lane)
        }
    }

    // The readers below are for hosts and tests: each copies the device to read it, as Swift
    // does to read a large struct through a non-mutating method. The device itself reads in
    // place, through the `mutating` readers after them (docs/embedded.md, "Stack").

    /// Lifetime count of one class in one direction on `lane`.
    public func total(lane: Int, _ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        var copy = self
        return copy.readTotal(lane: lane, crossingClass, direction)
    }

    /// Lifetime count of every class and direction on `lane`.
    public func grandTotal(lane: Int) -> UInt64 {
        var copy = self
        return copy.readGrandTotal(lane: lane)
    }

    /// What the driver of `lane`'s sensor saw go wrong.
    public func driverHealth(lane: Int) -> DriverHealth {
        var copy = self
        return copy.readDriverHealth(lane: lane)
    }

    /// The counts of `lane` in its totals but in no bin the outbox took yet, as one bin.
    public func unexported(lane: Int) -> IntervalBin {
        var copy = self
        return copy.readUnexported(lane: lane)
    }

    /// The sequence number of the last frame counted on `lane`, 0 before the first.
    public func lastCounted(lane: Int) -> UInt32 { lastCounted[lane] }

    /// The faults of a loop lane's two loops; none for a depth lane.
    public func loopFaults(lane: Int) -> (a: LoopFault, b: LoopFault) {
        var copy = self
        return copy.readLoopFaults(lane: lane)
    }

    /// `total`, read in place.
    mutating func readTotal(lane: Int, _ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        isDepth(lane)
            ? depthLanes[pool[lane]].counter.total(crossingClass, direction)
            : loopLanes[pool[lane]].detector.total(crossingClass, direction)
    }

    /// `grandTotal`, read in place.
    mutating func readGrandTotal(lane: Int) -> UInt64 {
        isDepth(lane) ? depthLanes[pool[lane]].counter.grandTotal : loopLanes[pool[lane]].detector.grandTotal
    }

    /// The counts of `lane` not yet in a bin the outbox took, read in place.
    mutating func readUnexported(lane: Int) -> IntervalBin {
        isDepth(lane) ? depthLanes[pool[lane]].counter.unexportedBin : loopLanes[pool[lane]].detector.unexportedBin
    }

    /// `driverHealth`, read in place.
    mutating func readDriverHealth(lane: Int) -> DriverHealth {
        isDepth(lane) ? depthLanes[pool[lane]].driver.health : loopLanes[pool[lane]].driver.health
    }

    /// `loopFaults`, read in place.
    mutating func readLoopFaults(lane: Int) -> (a: LoopFault, b: LoopFault) {
        isDepth(lane) ? ([], []) : loopLanes[pool[lane]].detector.faults
    }

    /// Always inlined: a call to a non-mutating method of the device copies all of it to the
    /// stack (docs/embedded.md, "Stack").
    @inline(__always) private func isDepth(_ lane: Int) -> Bool { depthMask & 1 << UInt8(lane) != 0 }

    /// Polls `lane`'s sensor once and counts the frame it delivered, if any.
    private mutating func poll(lane: Int) -> Bool {
        let index = pool[lane]
        if isDepth(lane) {
            guard let header = depthLanes[index].driver.poll(&bus, zones: &zones) else { return false }
            let count = Int(header.side) * Int(header.side)
            do throws(FrameError) {
                _ = try depthLanes[index].counter.process(
                    header: header, zones: zones.span.extracting(0..<count), scratch: &depthScratch)
                lastCounted[lane] = header.sequence
                return true
            } catch {
                health.framesRejected &+= 1
                return false
            }
        }
        guard let scan = loopLanes[index].driver.poll(&bus) else { return false }
        do throws(FrameError) {
            _ = try loopLanes[index].detector.process(header: scan.header, a: scan.a, b: scan.b)
            lastCounted[lane] = scan.header.sequence
            return true
        } catch {
            health.framesRejected &+= 1
            return false
        }
    }

    /// Moves `lane`'s closed bins to the outbox and its log, stamped when wall time is known;
    /// a record the outbox merged to make room is logged again. A bin closing is also a moment
    /// to commit. When the outbox has no room, the bins wait in the lane's core.
    private mutating func drainClosedBins(lane: Int) throws(FlashError) -> Bool {
        let index = pool[lane]
        var closed = false
        while outbox.hasRoom {
            let bin = isDepth(lane) ? depthLanes[index].counter.popClosedBin() : loopLanes[index].detector.popClosedBin()
            guard let bin else { return closed }
            outbox.push(lane: UInt8(lane), bin: bin)
            if let merged = outbox.takeLastMerged() {
                try outboxLog.append(outbox.record(merged), flash: &journal.flash, outbox: &outbox)
            }
            if let offsetNs = wallTime.offsetNs { outbox.stamp(offsetNs: offsetNs) }
            try outboxLog.append(outbox.record(outbox.count - 1), flash: &journal.flash, outbox: &outbox)
            closed = true
        }
        return closed
    }

    /// Flags silent sensors and shows on the indicator whether every lane is well.
    private mutating func updateHealth(nowUs: UInt64) {
        var silent: UInt8 = 0
        var faulty = false
        for lane in 0..<config.laneCount {
            if nowUs &- lastFrameUs[lane] > Self.silentAfterUs { silent |= 1 << UInt8(lane) }
            let faults = readLoopFaults(lane: lane)
            if !faults.a.intersection(.failed).isEmpty || !faults.b.intersection(.failed).isEmpty { faulty = true }
            if isDepth(lane), depthLanes[pool[lane]].counter.stuckZoneMask != 0 { faulty = true }
        }
        health.silentLanes = silent
        let pattern: IndicatorPattern = silent != 0 || faulty ? .fault : .counting
        if pattern != shown {
            indicator.show(pattern)
            shown = pattern
        }
    }

    private static func nameCRC(_ spec: DeviceLane) -> UInt32 {
        var crc = CRC32()
        spec.name.update(&crc)
        return crc.value
    }

    private static func kind(_ spec: DeviceLane) -> UInt8 {
        if case .depth = spec.sensor { return 1 }
        return 2
    }

    /// The outbox log in the last `outboxSectors` of `flash`.
    private static func outboxLog(on flash: Storage) -> OutboxLog {
        OutboxLog(
            firstSector: flash.sectorCount - outboxSectors, sectors: outboxSectors, sectorSizeBytes: flash.sectorSizeBytes)
    }

    /// Where a lane's state comes from at boot: its entry in the snapshot, if kept, or nothing
    /// at all before the first commit (`fresh`).
    private struct Restore {
        var kept: Int?
        var fresh: Bool
    }

    /// Starts a lane's core afresh for `config`, with the totals the snapshot kept for it,
    /// reconciled with the bins the lane closed after that snapshot (`closings`, for lane
    /// `closed`, when it closed any).
    ///
    /// The snapshot's pending counts are in its totals and in no bin the outbox took. When the
    /// lane closed bins since, the first of them took the pending counts, and counts after the
    /// snapshot with them: the totals are the snapshot's less the pending counts plus those
    /// bins'. (A power cut between the bins of one drain loses the rest from both.) When it
    /// closed none, the pending counts go back to the lane as a closed bin, to leave with the
    /// next drain.
    private static func start<Core: LaneCore>(
        _ core: inout Core, config: Core.Config, from: Restore, snapshot: Span<UInt8>, closed: Int?,
        closings: borrowing LaneClosings
    ) {
        do throws(ConfigError) {
            try core.reset(config: config)
        } catch {
            preconditionFailure("validate() accepted the device's config, so its lanes' cores accept theirs")
        }
        guard from.kept != nil || from.fresh else { return }
        let pending = from.kept.map { DeviceSnapshot.pending(lane: $0, in: snapshot) } ?? IntervalBin()
        for c in 0..<4 {
            for d in 0..<3 {
                let cell = c * 3 + d
                var total = from.kept.map { DeviceSnapshot.total(lane: $0, cell: cell, in: snapshot) } ?? 0
                if let closed {
                    total = total &- UInt64(pending.counts[cell]) &+ UInt64(closings.sums[closed].counts[cell])
                }
                core.restore(total: total, DeviceSnapshot.classes[c], DeviceSnapshot.directions[d])
            }
        }
        if closed == nil && (pending.frames > 0 || pending.total > 0) { core.restore(pending: pending) }
    }
}
