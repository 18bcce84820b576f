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

/// A link to an HTTP target that answers every request with 204 and a date.
struct ProbeLink: Link {
    var answered = false
    mutating func connect() throws(LinkError) -> LinkState { .connected }
    mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int {
        answered = false
        return bytes.count
    }
    mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        guard !answered else { return 0 }
        answered = true
        let answer: StaticString = "HTTP/1.1 204 No Content\r\nDate: Wed, 21 Sep 2022 06:00:00 GMT\r\n\r\n"
        return answer.withUTF8Buffer { text in
            for index in 0..<text.count { bytes[index] = text[index] }
            return text.count
        }
    }
    mutating func close() {}
}

struct ProbeIndicator: Indicator {
    var pattern = IndicatorPattern.off
    mutating func show(_ pattern: IndicatorPattern) { self.pattern = pattern }
}

typealias ProbeDevice = CountingDevice<ProbeFlash, ProbeSensorBus, ProbeWatchdog, ProbeClock, ProbeIndicator, ProbeLink>

extension Probe {
    /// Provisions a config of one depth lane and one loop lane, boots, counts a frame,
    /// persists, and boots again from the same flash.
    static func device() -> UInt64 {
        var config = DeviceConfig()
        let name: InlineArray<4, UInt8> = [0x6C, 0x61, 0x6E, 0x65]
        guard let text = ShortText(name.span) else { return 1 }
        config.device = text
        config.site = text
        let target: InlineArray<13, UInt8> = [0x68, 0x74, 0x74, 0x70, 0x3A, 0x2F, 0x2F, 0x68, 0x2F, 0x77, 0x72, 0x69, 0x74]
        config.export = ShortText(target.span) ?? text
        guard config.append(DeviceLane(name: text, address: 0x29, sensor: .depth(LaneConfig(), frameRateMilliHz: 10_000)))
        else { return 1 }
        guard let other = ShortText(name.span.extracting(0..<3)),
            config.append(DeviceLane(name: other, address: 0x30, sensor: .loops(LoopConfig()))) else { return 1 }
        var flash = probeFlash()
        guard (try? ConfigRecord.write(&config, to: &flash, sector: 0)) != nil else { return 1 }
        // Typed do-catch rather than `try?`: an optional of the device is one more copy of a
        // value of some 26 KiB, which the compiler writes out field by field.
        var device: ProbeDevice
        do throws(BootError) {
            device = try ProbeDevice(
                flash: flash, bus: ProbeSensorBus(sequence: 3), watchdog: ProbeWatchdog(), clock: ProbeClock(),
                indicator: ProbeIndicator(), link: ProbeLink())
        } catch {
            return 2
        }
        do throws(FlashError) {
            for _ in 0..<4 { try device.tick() }
            try device.closeBins()
            try device.tick()
            try device.persist()
        } catch {
            return 3
        }
        // Provisioned again and booted in place, over its own RAM, as a board boots.
        do throws(RecordError) {
            try device.provision { $0 = config }
        } catch {
            return 5
        }
        do throws(BootError) {
            try device.boot()
        } catch {
            return 6
        }
        var again: ProbeDevice
        do throws(BootError) {
            again = try ProbeDevice(
                flash: device.flash, bus: device.bus, watchdog: ProbeWatchdog(), clock: ProbeClock(), indicator: ProbeIndicator(),
                link: ProbeLink())
        } catch {
            return 4
        }
        var sum = UInt64(again.lastCounted(lane: 0)) &+ again.health.commits &+ UInt64(device.watchdog.kicks)
        sum &+= UInt64(again.health.lanesRestored) &+ again.health.framesRejected &+ again.readGrandTotal(lane: 1)
        sum &+= again.readTotal(lane: 0, .car, .inbound) &+ again.readDriverHealth(lane: 1).busErrors
        sum &+= UInt64(again.readLoopFaults(lane: 1).a.rawValue) &+ UInt64(device.indicator.pattern.rawValue)
        sum &+= UInt64(device.health.silentLanes) &+ UInt64(again.outbox.count)
        sum &+= (device.readExportHealth()?.requests ?? 0) &+ UInt64(device.wallTime.steps)
        return sum &+ hash()
    }
}

extension Probe {
    /// HMAC-SHA256 of a short message: the key that signs export batches.
    static func hash() -> UInt64 {
        let key = InlineArray<4, UInt8>(repeating: 0x0B)
        var mac = HMACSHA256(key: key.span)
        mac.update(0x61)
        var digest = InlineArray<32, UInt8>(repeating: 0)
        mac.finish(into: &digest)
        return UInt64(digest[0])
    }
}
