import CrossingCore
import CrossingDevice
import CrossingFirmware

struct ProbeWatchdog: Watchdog {
    var kicks: UInt32 = 0
    mutating func kick() { kicks &+= 1 }
}

struct ProbeClock: Clock {
    var us: UInt64 = 0
    mutating func nowUs() -> UInt64 {
        us &+= 1_000
        return us
    }
}

struct ProbeIndicator: Indicator {
    var pattern = IndicatorPattern.off
    mutating func show(_ pattern: IndicatorPattern) { self.pattern = pattern }
}

extension Probe {
    /// Provisions a config of one depth lane and one loop lane, boots, counts a frame,
    /// persists, and boots again from the same flash.
    static func device() -> UInt64 {
        var config = DeviceConfig()
        let name: InlineArray<4, UInt8> = [0x6C, 0x61, 0x6E, 0x65]
        guard let text = ShortText(name.span) else { return 1 }
        config.device = text
        config.site = text
        guard config.append(DeviceLane(name: text, address: 0x29, sensor: .depth(LaneConfig(), frameRateMilliHz: 10_000)))
        else { return 1 }
        guard let other = ShortText(name.span.extracting(0..<3)),
            config.append(DeviceLane(name: other, address: 0x30, sensor: .loops(LoopConfig()))) else { return 1 }
        var flash = ProbeFlash()
        guard (try? ConfigRecord.write(config, to: &flash, sector: 0)) != nil else { return 1 }
        guard var device = try? CountingDevice(
            flash: flash, bus: ProbeSensorBus(sequence: 3), watchdog: ProbeWatchdog(), clock: ProbeClock(),
            indicator: ProbeIndicator())
        else { return 2 }
        guard (try? device.tick()) != nil, (try? device.persist()) != nil else { return 3 }
        guard let again = try? CountingDevice(
            flash: device.flash, bus: device.bus, watchdog: ProbeWatchdog(), clock: ProbeClock(), indicator: ProbeIndicator())
        else { return 4 }
        return UInt64(again.lastCounted(lane: 0)) &+ again.health.commits &+ UInt64(device.watchdog.kicks)
            &+ UInt64(again.health.lanesRestored) &+ again.health.framesRejected &+ again.grandTotal(lane: 1)
            &+ again.total(lane: 0, .car, .inbound) &+ again.driverHealth(lane: 1).busErrors
            &+ UInt64(again.loopFaults(lane: 1).a.rawValue) &+ UInt64(device.indicator.pattern.rawValue)
            &+ UInt64(device.health.silentLanes)
    }
}
