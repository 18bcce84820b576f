import CrossingCore
import CrossingDevice

/// Why a device did not boot.
public enum BootError: Error, Equatable {
    case config(ConfigError)
    case journal(JournalError)
    case flash(FlashError)
}

/// What the device itself saw. Counters only grow while it runs; a reboot starts them again.
public struct DeviceHealth: Equatable, Sendable {
    /// Frames the lane refused (a driver bug if ever non-zero).
    public var framesRejected: UInt64 = 0
    /// Snapshots committed to the journal since boot.
    public var commits: UInt64 = 0
    /// Whether boot found a snapshot to restore.
    public var restored = false

    public init() {}
}

/// A counting device with one depth lane: the sensor driver, the counting core and the
/// journal, run by a main loop that calls `tick`.
///
/// Boot restores the totals and the last frame counted from the journal, so that after a
/// power cut the totals are those of the last commit and no frame already in them is counted
/// again. Counts made after the last commit are lost with the power; the commit interval
/// bounds how many.
public struct DepthDevice<Storage: Flash, Bus: SensorBus, Dog: Watchdog> {
    public private(set) var journal: Journal<Storage>
    public var bus: Bus
    public var watchdog: Dog
    public private(set) var lane: DepthLaneCounter
    public private(set) var driver: DepthSensorDriver
    public private(set) var health = DeviceHealth()
    /// Sequence number of the last frame counted, 0 before the first.
    public private(set) var lastCounted: UInt32 = 0
    /// The journal's flash, for an emulator to cut the power or carry the bytes over a reboot.
    public var flash: Storage {
        get { journal.flash }
        set { journal.flash = newValue }
    }

    private let persistIntervalUs: UInt64
    private var lastPersistUs: UInt64 = 0
    private var unpersisted = false
    private var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))
    private var payload = InlineArray<120, UInt8>(repeating: 0xFF)

    /// Boots: lays out the journal on `journalSectors` sectors from 0, restores what it holds,
    /// and starts counting after the last frame it kept. A snapshot is committed at least
    /// every `persistIntervalS` while counts change, and whenever a bin closes.
    public init(
        config: LaneConfig, flash: Storage, journalSectors: Int, bus: Bus, watchdog: Dog, persistIntervalS: UInt32
    ) throws(BootError) {
        do throws(ConfigError) {
            lane = try DepthLaneCounter(config: config)
        } catch {
            throw .config(error)
        }
        do throws(JournalError) {
            journal = try Journal(flash: flash, firstSector: 0, sectors: journalSectors)
        } catch {
            throw .journal(error)
        }
        self.bus = bus
        self.watchdog = watchdog
        persistIntervalUs = UInt64(persistIntervalS) * 1_000_000
        driver = DepthSensorDriver()
        do throws(FlashError) {
            if let length = try journal.restore(into: &payload), length == LaneSnapshot.bytes {
                let snapshot = LaneSnapshot(payload: payload)
                snapshot.restore(into: &lane)
                lastCounted = snapshot.lastSequence
                driver = DepthSensorDriver(lastSequence: snapshot.lastSequence)
                health.restored = true
            }
        } catch {
            throw .flash(error)
        }
    }

    /// One turn of the main loop at `nowUs`: kick the watchdog, poll the sensor once, count
    /// the frame if there is one, and commit a snapshot when due. At most one frame and one
    /// commit per tick. A `.powerLost` error means the device is down until it boots again.
    public mutating func tick(nowUs: UInt64) throws(FlashError) {
        watchdog.kick()
        if let header = driver.poll(&bus, zones: &zones) {
            let count = Int(header.side) * Int(header.side)
            do throws(FrameError) {
                _ = try lane.process(header: header, zones: zones.span.extracting(0..<count))
                lastCounted = header.sequence
                unpersisted = true
            } catch {
                health.framesRejected &+= 1
            }
        }
        // Closed bins will go to the export outbox (issue 6); until then the journal keeps the
        // totals, and a bin closing is a moment to commit them.
        var binClosed = false
        while lane.popClosedBin() != nil { binClosed = true }
        if unpersisted && (binClosed || nowUs &- lastPersistUs >= persistIntervalUs) {
            try persist(nowUs: nowUs)
        }
    }

    /// Commits the totals and the last frame counted now.
    public mutating func persist(nowUs: UInt64) throws(FlashError) {
        LaneSnapshot(lane: lane, lastSequence: lastCounted).encode(into: &payload)
        try journal.commit(payload.span.extracting(0..<LaneSnapshot.bytes))
        health.commits &+= 1
        lastPersistUs = nowUs
        unpersisted = false
    }
}
