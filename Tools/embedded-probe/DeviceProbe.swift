import CrossingCore
import CrossingDevice
import CrossingFirmware

struct ProbeWatchdog: Watchdog {
    var kicks: UInt32 = 0
    mutating func kick() { kicks &+= 1 }
}

extension Probe {
    /// Boots a device on a blank flash, counts one frame, persists, and boots again from it.
    static func device() -> UInt64 {
        guard var device = try? DepthDevice(
            config: LaneConfig(), flash: ProbeFlash(), journalSectors: 3, bus: ProbeSensorBus(sequence: 3),
            watchdog: ProbeWatchdog(), persistIntervalS: 10)
        else { return 1 }
        guard (try? device.tick(nowUs: 1_000)) != nil, (try? device.persist(nowUs: 2_000)) != nil else { return 2 }
        guard let again = try? DepthDevice(
            config: LaneConfig(), flash: device.flash, journalSectors: 3, bus: device.bus, watchdog: ProbeWatchdog(),
            persistIntervalS: 10)
        else { return 3 }
        return UInt64(again.lastCounted) &+ again.health.commits &+ UInt64(device.watchdog.kicks)
            &+ (again.health.restored ? 1 : 0) &+ again.health.framesRejected
    }
}
