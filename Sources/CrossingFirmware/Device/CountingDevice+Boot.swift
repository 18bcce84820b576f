import CrossingCore
import CrossingDevice

extension CountingDevice {
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
    @inline(never) mutating func restoreJournal(closings: inout LaneClosings) throws(BootError) -> Int? {
        do throws(FlashError) {
            var lanesKept: Int?
            if let length = try journal.restore(into: &payload) {
                lanesKept = DeviceSnapshot.laneCount(in: payload.span, length: length)
                if let lanes = lanesKept { DeviceSnapshot.upgrade(&payload, lanes: lanes, length: length) }
            }
            // No journal: blank flash, a new life of this id (`Incarnation`).
            exporter.incarnation = lanesKept == nil ? .unknown : DeviceSnapshot.incarnation(in: payload.span)
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
    @inline(never) mutating func bootLanes(lanesKept: Int?, closings: inout LaneClosings) {
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
