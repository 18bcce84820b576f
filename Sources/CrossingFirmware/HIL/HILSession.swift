import CrossingCore
import CrossingDevice

/// A watchdog a rig only counts the kicks of: the rig is the one that would notice a hang.
public struct RigWatchdog: Watchdog {
    public private(set) var kicks: UInt64 = 0
    public init() {}
    public mutating func kick() { kicks &+= 1 }
}

/// A status LED a rig only remembers.
public struct RigIndicator: Indicator {
    public private(set) var pattern = IndicatorPattern.off
    public init() {}
    public mutating func show(_ pattern: IndicatorPattern) { self.pattern = pattern }
}

/// Why a HIL run stopped before the end of its frames.
public enum HILError: Error, Equatable {
    case frames(FrameFileFault)
    case boot(BootError)
    case flash(FlashError)
    /// The export still held records after `drainTurnsMax` turns.
    case undrained
}

/// A hardware-in-the-loop run: the firmware counting a recorded frame file (one lane, as its
/// header describes it) on whatever parts the rig has, its export going to a `HILLink`.
///
/// Every rig runs this same code (the Linux emulator on emulated flash and register maps, the
/// Cortex-M4 board on RAM flash and a fixture bus, a serial device), so the output is the same
/// bytes on all of them, and any difference is a fault of the part, the compiler or the port
/// (Hardware/hil-protocol.md). The output: the line-protocol lines the device exports, then
/// `# hil` comment lines with its totals and how the run ended.
public struct HILSession<Storage: Flash, Bus: FrameLatchingBus, Out: HILOutput> {
    public typealias Device = CountingDevice<Storage, Bus, RigWatchdog, VirtualClock, RigIndicator, HILLink<Out>>
    /// After the last frame the loop turns this often, at most `drainTurnsMax` times, until
    /// the export has every record acked.
    public static var drainStepUs: UInt64 { 100_000 }
    public static var drainTurnsMax: Int { 2000 }

    public private(set) var header: FrameFileHeader
    public private(set) var device: Device
    /// Records run so far.
    public private(set) var records = 0
    private var offset = FrameFileHeader.bytes
    private var zones = InlineArray<64, ZoneReading>(repeating: ZoneReading(distanceMm: 0))

    /// Provisions `flash` with the config the header describes (one lane at the header's
    /// `laneAddress`), exporting to the rig's link under a fixed key, and boots on it. `bus`
    /// must answer at that address.
    public init(header: FrameFileHeader, flash: Storage, bus: Bus, output: Out) throws(HILError) {
        self.header = header
        device = Device(
            parts: flash, bus: bus, watchdog: RigWatchdog(), clock: VirtualClock(), indicator: RigIndicator(),
            link: HILLink(output: output))
        try boot(header: header, flash: flash, bus: bus, output: output)
    }

    /// `init(header:flash:bus:output:)` in place: sets every part and field of the session and
    /// boots its device where it lies. A board runs its session in static memory this way,
    /// from zero bytes, where building a new one would need copies of it on the stack
    /// (docs/embedded.md, "Stack").
    public mutating func boot(header: FrameFileHeader, flash: Storage, bus: Bus, output: Out) throws(HILError) {
        self.header = header
        records = 0
        offset = FrameFileHeader.bytes
        device.flash = flash
        device.bus = bus
        device.watchdog = RigWatchdog()
        device.clock = VirtualClock()
        device.indicator = RigIndicator()
        device.link = HILLink(output: output)
        try provision()
        do throws(BootError) {
            try device.boot()
        } catch {
            throw .boot(error)
        }
    }

    /// Provisions the device with the config the header describes. Never inlined, so that its
    /// record buffer leaves the stack before the device boots.
    @inline(never) private mutating func provision() throws(HILError) {
        let header = header
        do throws(RecordError) {
            try device.provision { config in
                header.deviceConfig(into: &config)
                config.export = ShortText(static: "tcp://hil:1")
                for index in config.key.indices { config.key[index] = 0x68 }
                config.keyPresent = true
            }
        } catch {
            throw .boot(.config(error))
        }
    }

    /// Runs the next record of the file (`header.recordBytes` from the front of `bytes`): the
    /// lane's sensor latches it, and the main loop turns twice.
    public mutating func run(record bytes: Span<UInt8>) throws(HILError) {
        let record: FrameFileRecord
        do throws(FrameFileFault) {
            record = try header.decode(bytes, offset: offset, zones: &zones)
        } catch {
            throw .frames(error)
        }
        let timeUs: UInt64
        switch record {
        case .depth(let frame):
            device.bus.present(lane: 0, header: frame, zones: zones.span.extracting(0..<(Int(frame.side) * Int(frame.side))))
            timeUs = frame.timestampUs
        case .loops(let scan, let a, let b):
            device.bus.present(lane: 0, header: scan, a: a, b: b)
            timeUs = scan.timestampUs
        }
        do throws(FlashError) {
            try device.turn(atUs: timeUs)
        } catch {
            throw .flash(error)
        }
        records += 1
        offset += header.recordBytes
    }

    /// Lets the rig move on what the output holds: a serial port sends it as it comes.
    public mutating func withOutput<R>(_ body: (inout Out) -> R) -> R {
        body(&device.link.output)
    }

    /// Ends the run: closes the open bins, turns the loop until every record is acked, and
    /// writes the totals and the end line, which names `error` if the run stopped on one.
    public mutating func finish(error: HILError?) {
        var drained = false
        var failure = error
        do throws(FlashError) {
            if failure == nil {
                try device.closeBins()
                for _ in 0..<Self.drainTurnsMax where !drained {
                    try device.idle(atUs: device.clock.us + Self.drainStepUs)
                    drained = device.outbox.count == 0 && !device.exportBusy
                }
                try device.persist()
            }
        } catch {
            failure = .flash(error)
        }
        var line = HILText<160>()
        line.put("# hil totals records=")
        line.put(Int64(records))
        line.put(" frames=")
        line.put(Int64(truncatingIfNeeded: device.readDriverHealth(lane: 0).frames))
        line.put(" frames_rejected=")
        line.put(Int64(truncatingIfNeeded: device.health.framesRejected))
        line.put(" batches=")
        line.put(Int64(truncatingIfNeeded: device.link.batches))
        line.put(" outbox_records=")
        line.put(Int64(device.outbox.count))
        line.end(to: &device.link.output)
        for c in 0..<4 {
            for d in 0..<3 {
                line.put("# hil total class=")
                line.put(ExportLines.classes[c].name)
                line.put(" direction=")
                line.put(ExportLines.directions[d].name)
                line.put(" count=")
                line.put(Int64(truncatingIfNeeded: device.readTotal(lane: 0, ExportLines.classes[c], ExportLines.directions[d])))
                line.end(to: &device.link.output)
            }
        }
        if failure == nil && !drained { failure = .undrained }
        Self.writeEnd(failure, to: &device.link.output)
    }

    /// The run's last line: `# hil end status=ok`, or `status=error` and what stopped it.
    public static func writeEnd(_ error: HILError?, to output: inout Out) {
        var line = HILText<160>()
        line.put("# hil end status=")
        guard let error else {
            line.put("ok")
            line.end(to: &output)
            return output.flush()
        }
        line.put("error reason=")
        switch error {
        case .frames(let fault):
            line.put(fault.reason.name)
            line.put(" byte=")
            line.put(Int64(fault.offset))
        case .boot(let boot):
            switch boot {
            case .config: line.put("boot-config")
            case .journal: line.put("boot-journal")
            case .flash(let flash): line.put(flash.name)
            }
        case .flash(let flash): line.put(flash.name)
        case .undrained: line.put("export-not-drained")
        }
        line.end(to: &output)
        output.flush()
    }
}

extension FrameFileFault.Reason {
    /// The reason as one word, for a HIL end line.
    public var name: StaticString {
        switch self {
        case .shortHeader: "short-header"
        case .noMagic: "no-magic"
        case .headerCRC: "header-crc"
        case .version: "version"
        case .sensorKind: "sensor-kind"
        case .gridSide: "grid-side"
        case .lane: "lane-config"
        case .truncatedRecord: "truncated-record"
        case .recordCRC: "record-crc"
        case .loopStatus: "loop-status"
        }
    }
}

extension FlashError {
    var name: StaticString {
        switch self {
        case .outOfRange: "flash-out-of-range"
        case .notErased: "flash-not-erased"
        case .powerLost: "flash-power-lost"
        }
    }
}
