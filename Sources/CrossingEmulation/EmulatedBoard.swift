import CrossingCore
import CrossingDevice
import CrossingFirmware

/// A depth-lane device on emulated hardware: flash (3 sectors of 1 KiB for the journal), the
/// depth sensor's registers and a watchdog, with frames delivered by the host at the sensor's
/// pace and the main loop turning twice per frame period.
public struct EmulatedBoard<Random: RandomNumberGenerator> {
    public typealias Device = DepthDevice<EmulatedFlash, EmulatedDepthSensor<Random>, EmulatedWatchdog>

    public let config: LaneConfig
    public let periodUs: UInt64
    public var device: Device
    private let persistIntervalS: UInt32

    /// Boots a board with a blank flash and a sensor whose transfers fail at `faultRate`.
    public init(
        config: LaneConfig, frameRateHz: Double, faultRate: Double = 0, random: Random, persistIntervalS: UInt32 = 10
    ) throws(BootError) {
        self.config = config
        self.persistIntervalS = persistIntervalS
        periodUs = UInt64((1_000_000 / frameRateHz).rounded())
        device = try Self.boot(
            config: config, flash: EmulatedFlash(sectorSizeBytes: 1024, sectorCount: 3),
            sensor: EmulatedDepthSensor(faultRate: faultRate, random: random), persistIntervalS: persistIntervalS)
    }

    private static func boot(
        config: LaneConfig, flash: EmulatedFlash, sensor: EmulatedDepthSensor<Random>, persistIntervalS: UInt32
    ) throws(BootError) -> Device {
        try Device(
            config: config, flash: flash, journalSectors: 3, bus: sensor, watchdog: EmulatedWatchdog(timeoutMs: 500),
            persistIntervalS: persistIntervalS)
    }

    /// The sensor latches a frame and the main loop turns twice within its period.
    public mutating func deliver(header: FrameHeader, zones: Span<ZoneReading>) throws(FlashError) {
        device.bus.present(header: header, zones: zones)
        try device.tick(nowUs: header.timestampUs)
        try device.tick(nowUs: header.timestampUs + periodUs / 2)
    }

    /// Power comes back, or the watchdog resets the board: boot again on the same flash and
    /// the same sensor.
    public mutating func reboot() throws(BootError) {
        var flash = device.flash
        flash.powerOn()
        device = try Self.boot(config: config, flash: flash, sensor: device.bus, persistIntervalS: persistIntervalS)
    }

    /// Lifetime totals of the lane, per class and direction.
    public func total(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        device.lane.total(crossingClass, direction)
    }
}
