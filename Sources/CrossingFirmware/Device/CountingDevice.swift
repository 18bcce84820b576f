import CrossingCore
import CrossingDevice

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
public struct CountingDevice<Storage: Flash, Bus: SensorBus, WatchdogTimer: Watchdog, Time: Clock, StatusLED: Indicator, NetworkLink: Link> {
    public static var configSector: Int { 0 }
    public static var outboxSectors: Int { 4 }
    /// A sensor silent this long is flagged in health and on the indicator.
    public static var silentAfterUs: UInt64 { 2_000_000 }

    // The state is internal, not private, for the extensions beside this file (boot, readers);
    // outside the module it is read only.

    /// `var` to be booted in place and handed to the export `inout`, to be read in place.
    public internal(set) var config = DeviceConfig()
    public internal(set) var journal: Journal<Storage>
    public var bus: Bus
    public var watchdog: WatchdogTimer
    public var clock: Time
    public var indicator: StatusLED
    /// The link to the export target.
    public var link: NetworkLink
    public internal(set) var health = DeviceHealth()
    /// Closed bins not yet acknowledged by the export target.
    public internal(set) var outbox = DeviceOutbox()
    /// The export, used when the config names an `http://` or `tcp://` target (`exporting`).
    var exporter = Exporter()
    var exporting = false

    /// Whether the config names an export target.
    public var exports: Bool { exporting }

    /// Which life of its id the device is in; records are exported only once it is known.
    public var incarnation: Incarnation { exporter.incarnation }

    /// Whether the export has a request under way, read in place.
    public var exportBusy: Bool {
        mutating get { exporting && exporter.isBusy }
    }
    public internal(set) var wallTime = WallTime()
    var outboxLog: OutboxLog
    /// The outbox's settled sequence number the log has recorded.
    var loggedSettledSeq: UInt32 = 0
    /// The outbox log's next entry at the last commit: a commit follows within a sector of
    /// entries, while the log still holds every bin closed since (`OutboxLog.restore`).
    var logEntryAtCommit: UInt32 = 0
    var bootUs: UInt64 = 0
    /// The journal's flash, for an emulator to cut the power or carry the bytes over a reboot.
    public var flash: Storage {
        get { journal.flash }
        set { journal.flash = newValue }
    }

    /// Lane pools: only the first of each that the config uses are booted and read.
    var depthLanes = InlineArray<2, DepthLane>(repeating: DepthLane())
    var loopLanes = InlineArray<2, LoopLane>(repeating: LoopLane())
    /// Per lane: its place in `depthLanes` or `loopLanes`, the last frame counted, and when a
    /// frame last came.
    var pool = InlineArray<4, Int>(repeating: 0)
    var lastCounted = InlineArray<4, UInt32>(repeating: 0)
    var lastFrameUs = InlineArray<4, UInt64>(repeating: 0)
    /// Bit n set: lane n has a depth sensor.
    var depthMask: UInt8 = 0
    var lastPersistUs: UInt64 = 0
    var unpersisted = false
    var shown = IndicatorPattern.off
    var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
    var depthScratch = DepthScratch()
    var payload = JournalPayload(repeating: 0xFF)

    /// The device on its parts, not booted yet: `boot()` starts it.
    public init(parts flash: Storage, bus: Bus, watchdog: WatchdogTimer, clock: Time, indicator: StatusLED, link: NetworkLink) {
        journal = Journal(unlaid: flash)
        self.bus = bus
        self.watchdog = watchdog
        self.clock = clock
        self.indicator = indicator
        self.link = link
        outboxLog = Self.outboxLog(on: flash)
    }

    /// The device on its parts, booted (see `boot()`).
    public init(flash: Storage, bus: Bus, watchdog: WatchdogTimer, clock: Time, indicator: StatusLED, link: NetworkLink) throws(BootError) {
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
            // An incarnation is kept before a record goes out under it.
            if case .learned = exporter.incarnation { try persist() }
        }
        if outbox.settledThroughSeq != loggedSettledSeq {
            try outboxLog.appendAck(through: outbox.settledThroughSeq, flash: &journal.flash, outbox: &outbox)
            loggedSettledSeq = outbox.settledThroughSeq
        }
    }

    /// Stamps the records closed before the device knew wall time, and logs them again with
    /// their stamps: a resend after a reboot must carry the same timestamp, or a store would
    /// keep both.
    mutating func stampRecords() throws(FlashError) {
        guard let offsetNs = wallTime.offsetNs else { return }
        for index in outbox.stamp(offsetNs: offsetNs) {
            try outboxLog.append(outbox.record(index), flash: &journal.flash, outbox: &outbox)
        }
    }

    mutating func figures(nowUs: UInt64) -> HealthFigures {
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
        figures.blindLanes = Int64(health.blindLanes)
        figures.degradedLanes = Int64(health.degradedLanes)
        return figures
    }

    /// Commits every lane's totals, last frame counted and counts not yet in the outbox now.
    public mutating func persist() throws(FlashError) {
        let length = DeviceSnapshot.putHeader(
            lanes: config.laneCount, nextRecordSeq: outbox.nextSeq, incarnation: exporter.incarnation, in: &payload)
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
        if case .learned(let number) = exporter.incarnation { exporter.incarnation = .known(number) }
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
    /// Always inlined: a call to a non-mutating method of the device copies all of it to the
    /// stack (docs/embedded.md, "Stack").
    @inline(__always) func isDepth(_ lane: Int) -> Bool { depthMask & 1 << UInt8(lane) != 0 }

    /// Polls `lane`'s sensor once and counts the frame it delivered, if any.
    mutating func poll(lane: Int) -> Bool {
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
    mutating func drainClosedBins(lane: Int) throws(FlashError) -> Bool {
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

    /// Flags silent, blind and degraded sensors, and shows on the indicator whether every lane
    /// is well.
    mutating func updateHealth(nowUs: UInt64) {
        var silent: UInt8 = 0
        var blind: UInt8 = 0
        var degraded: UInt8 = 0
        var faulty = false
        for lane in 0..<config.laneCount {
            let bit: UInt8 = 1 << UInt8(lane)
            if nowUs &- lastFrameUs[lane] > Self.silentAfterUs { silent |= bit }
            let faults = readLoopFaults(lane: lane)
            if !faults.a.intersection(.failed).isEmpty || !faults.b.intersection(.failed).isEmpty { faulty = true }
            guard isDepth(lane) else { continue }
            if depthLanes[pool[lane]].counter.stuckZoneMask != 0 { faulty = true }
            switch depthLanes[pool[lane]].counter.sensorCondition {
            case .ok: break
            case .degraded: degraded |= bit
            case .blind: blind |= bit
            }
        }
        health.silentLanes = silent
        health.blindLanes = blind
        health.degradedLanes = degraded
        let pattern: IndicatorPattern = silent != 0 || blind != 0 || faulty ? .fault : .counting
        if pattern != shown {
            indicator.show(pattern)
            shown = pattern
        }
    }
    static func nameCRC(_ spec: DeviceLane) -> UInt32 {
        var crc = CRC32()
        spec.name.update(&crc)
        return crc.value
    }

    static func kind(_ spec: DeviceLane) -> UInt8 {
        if case .depth = spec.sensor { return 1 }
        return 2
    }

    /// The outbox log in the last `outboxSectors` of `flash`.
    static func outboxLog(on flash: Storage) -> OutboxLog {
        OutboxLog(
            firstSector: flash.sectorCount - outboxSectors, sectors: outboxSectors, sectorSizeBytes: flash.sectorSizeBytes)
    }
}
