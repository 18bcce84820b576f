import CrossingCore
import CrossingDevice
import CrossingFirmware
import CrossingSimulation

/// A counting device on emulated hardware: flash (the config record and the journal), each
/// lane's sensor on the bus, a watchdog, a clock and the status LED. The host delivers
/// frames at the sensors' pace, and the main loop turns twice per frame delivered
/// (`CountingDevice.turn`).
public struct EmulatedBoard {
    public typealias Device = CountingDevice<
        EmulatedFlash, EmulatedSensorBus, EmulatedWatchdog, VirtualClock, EmulatedIndicator, BoardLink
    >

    /// The part the board carries: a sector for the config record, eight for the journal and
    /// four for the outbox log.
    public static var flashSectorBytes: Int { 4096 }
    public static var flashSectors: Int { 13 }
    public static var watchdogTimeoutMs: UInt32 { 500 }

    public var device: Device

    /// A blank part of the board's size.
    public static func blankFlash() -> EmulatedFlash {
        EmulatedFlash(sectorSizeBytes: flashSectorBytes, sectorCount: flashSectors)
    }

    /// Provisions `flash` with `config` (unless it holds that config already, so the totals
    /// of an earlier run carry on), fits a sensor per lane whose transfers fail at `faultRate`
    /// and the network `link`, and boots.
    public init(
        config: DeviceConfig, flash: EmulatedFlash = blankFlash(), faultRate: Double = 0, seed: UInt64 = 1,
        link: BoardLink = .none
    ) throws(BootError) {
        var flash = flash
        if (try? ConfigRecord.read(from: flash, sector: Device.configSector)) != config {
            do throws(RecordError) {
                var config = config
                try ConfigRecord.write(&config, to: &flash, sector: Device.configSector)
            } catch {
                throw .config(error)
            }
        }
        var banks: [EmulatedRegisterBank] = []
        for lane in 0..<config.laneCount {
            let spec = config.lane(lane)
            let random = SplitMix64(seed: seed &+ UInt64(lane) &* 0x9E37_79B9)
            switch spec.sensor {
            case .depth: banks.append(EmulatedDepthSensor(address: spec.address, faultRate: faultRate, random: random).bank)
            case .loops: banks.append(EmulatedLoopFrontEnd(address: spec.address, faultRate: faultRate, random: random).bank)
            }
        }
        device = try Device(
            flash: flash, bus: EmulatedSensorBus(banks: banks), watchdog: EmulatedWatchdog(timeoutMs: Self.watchdogTimeoutMs),
            clock: VirtualClock(), indicator: EmulatedIndicator(), link: link)
    }

    /// `lane`'s depth sensor latches a frame, and the main loop turns twice.
    public mutating func deliver(lane: Int, header: FrameHeader, zones: Span<ZoneReading>) throws(FlashError) {
        device.bus.present(lane: lane, header: header, zones: zones)
        try device.turn(atUs: header.timestampUs)
    }

    /// `lane`'s loop front end latches a scan, and the main loop turns twice.
    public mutating func deliver(lane: Int, scan: LoopScan) throws(FlashError) {
        device.bus.present(lane: lane, header: scan.header, a: scan.a, b: scan.b)
        try device.turn(atUs: scan.header.timestampUs)
    }

    /// Power comes back, or the watchdog resets the board: boot again on the same flash, bus
    /// and clock. In place, over the RAM the device left, as a board boots in static memory:
    /// so every power cut also checks that boot sets all the state it counts with.
    public mutating func reboot() throws(BootError) {
        device.flash.powerOn()
        device.watchdog = EmulatedWatchdog(timeoutMs: Self.watchdogTimeoutMs)
        device.indicator = EmulatedIndicator()
        try device.boot()
    }

    /// Lets `body` change the in-memory peer on the link (its clock, whether it is down).
    public mutating func withPeer(_ body: (inout EmulatedHTTPPeer) -> Void) {
        guard case .peer(var peer) = device.link else { preconditionFailure("the board's link is no in-memory peer") }
        body(&peer)
        device.link = .peer(peer)
    }

    /// Lets `body` change the in-memory collector on the link.
    public mutating func withCollector(_ body: (inout EmulatedCollector) -> Void) {
        guard case .collector(var collector) = device.link else { preconditionFailure("the board's link is no in-memory collector") }
        body(&collector)
        device.link = .collector(collector)
    }

    /// Lets `body` move the pipe's bytes, or partition it.
    public mutating func withPipe<Result>(_ body: (inout PipeLink) -> Result) -> Result {
        guard case .pipe(var pipe) = device.link else { preconditionFailure("the board's link is no pipe") }
        defer { device.link = .pipe(pipe) }
        return body(&pipe)
    }

    /// Turns the main loop at `nowUs` with no frame: the export goes on while the sensors are
    /// quiet.
    public mutating func idle(atUs nowUs: UInt64) throws(FlashError) {
        try device.idle(atUs: nowUs)
    }

    /// Lifetime totals of `lane`, per class and direction.
    public func total(lane: Int, _ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        device.total(lane: lane, crossingClass, direction)
    }
}
