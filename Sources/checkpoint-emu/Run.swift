import CheckpointCLI
import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation

/// `checkpoint-emu run`: the firmware on the emulated board, its sensors fed by a scenario.
enum Run {
    static let help = """
        usage: checkpoint-emu run --scenario FILE [--config FILE] [--flash FILE]
                                  [--speed max|realtime|xN] [--duration SECONDS] [--seed N]
                                  [--export URL] [--start TIME] [--fault-rate R] [--json]

        Runs the counting firmware on the emulated board: each lane of the device config reads
        its sensor's registers, fed by the scenario lane of the same name. Prints the device's
        totals and health at the end. SIGINT commits the totals to the journal, prints them,
        and stops.

          --scenario FILE     scenario JSON (docs/scenario.md)
          --config FILE       device config JSON (docs/device-config.md). Default: derived from
                              the scenario, one device lane per scenario lane
          --flash FILE        keep the board's flash in FILE: a later run with the same file
                              boots from it and carries the totals on. Default: a blank part
          --speed S           max (default: as fast as the host goes), realtime, or xN (N times
                              real time, e.g. x60)
          --duration SECONDS  simulated time (default: the scenario's)
          --seed N            seed of the scene and the bus faults (default 1)
          --export URL        export the counts over a real TCP connection, overriding the
                              config's export: http://HOST:PORT/write?db=NAME to InfluxDB 1.x
                              or VictoriaMetrics (docs/line-protocol.md), or tcp://HOST:PORT to
                              our collector (docs/device-protocol.md; the config must hold the
                              device's key). At the end the run waits, up to 60 s, for the
                              target to acknowledge everything
          --start TIME        at any speed but realtime: the simulated wall time at the run's
                              start, RFC 3339 (default 2022-09-22T00:00:00Z plus the
                              scenario's start_hour). The target's answers carry its real
                              time (the collector's acks, HTTP's Date header); the board is
                              told this clock instead, so its bins are stamped in simulated
                              time
          --fault-rate R      fraction of bus transfers that fail, 0...0.5 (default 0)
          --json              {"device", "site", "totals": [{"lane", "class", "direction",
                              "count"}], "health": {...}} as one object
        """

    static func main(_ argumentList: [String]) {
        let (arguments, options) = Command.parse(
            argumentList, program: program, help: help,
            valueOptions: ["scenario", "config", "flash", "speed", "duration", "seed", "export", "start", "fault-rate"],
            flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            guard let scenario = arguments.value("scenario") else { throw UsageError("--scenario FILE is required") }
            return (
                scenario: scenario, speed: try speed(arguments.value("speed") ?? "max"),
                durationS: try arguments.number("duration", in: 1...(31 * 86_400)), seed: try arguments.unsigned("seed") ?? 1,
                faultRate: try arguments.number("fault-rate", in: 0...0.5) ?? 0,
                startS: try arguments.value("start").map { text throws(UsageError) in
                    guard let date = ISO8601DateFormatter().date(from: text) else {
                        throw UsageError("--start must be an RFC 3339 time such as 2022-09-22T06:00:00Z, got '\(text)'")
                    }
                    return Int64(date.timeIntervalSince1970)
                }
            )
        }
        let scenario: Scenario
        do throws(ScenarioError) {
            scenario = try Scenario.load(path: options.scenario)
        } catch {
            Terminal.fail(program, error.description)
        }
        var config: DeviceConfig = deviceConfig(path: arguments.value("config"), scenario: scenario, file: options.scenario)
        if let export = arguments.value("export") { setExport(export, in: &config) }
        let link = boardLink(for: config, scenario: scenario, speed: options.speed, startS: options.startS)
        let durationS = options.durationS ?? scenario.durationS
        var feed: ScenarioFeed
        do throws(ScenarioFeed.Mismatch) {
            feed = try ScenarioFeed(config: config, scenario: scenario, seed: options.seed, durationS: durationS)
        } catch {
            Terminal.fail(program, error.description, usage: true)
        }
        var flash = EmulatedBoard.blankFlash()
        if let path = arguments.value("flash") {
            do throws(FlashFileError) {
                flash = try EmulatedFlash(
                    path: path, sectorSizeBytes: EmulatedBoard.flashSectorBytes, sectorCount: EmulatedBoard.flashSectors)
            } catch {
                Terminal.fail(program, error.description)
            }
        }
        var board: EmulatedBoard
        do {
            board = try EmulatedBoard(config: config, flash: flash, faultRate: options.faultRate, seed: options.seed, link: link)
        } catch {
            Terminal.fail(program, "the device did not boot: \(error)")
        }
        installInterruptHandler()
        drive(&board, feed: &feed, speed: options.speed, durationS: durationS)
        do {
            try board.device.persist()
            if board.device.exports && !interruptRequested.load(ordering: .relaxed),
                try !board.drainExport(timeoutS: 60, shouldStop: { interruptRequested.load(ordering: .relaxed) })
            {
                Terminal.error("\(program): \(board.device.outbox.count) records not acknowledged by the export target")
            }
        } catch {
            Terminal.fail(program, "emulated flash failed: \(error)")
        }
        let ended = feed.endedLanes
        if arguments.flag("json") {
            let extra: [(String, JSONValue)] = [
                ("scenario", .string(scenario.name)), ("seed", .integer(Int64(options.seed))),
                ("simulated_s", .number(feed.timeS.rounded())), ("frames", .integer(Int64(feed.delivered))),
            ]
            print(DeviceTotals.json(board, scenesEnded: ended, extra: extra).rendered())
        } else {
            print(DeviceTotals.table(board, scenesEnded: ended))
        }
        exitIfInterrupted()
    }

    /// The device config from `--config`, else derived from the scenario.
    private static func deviceConfig(path: String?, scenario: Scenario, file: String) -> DeviceConfig {
        if let path { return RunConfig.load(path) }
        do throws(ScenarioError) {
            return try DeviceConfigFile.derived(from: scenario, file: file)
        } catch {
            Terminal.fail(program, "cannot derive a device config: \(error.description)", usage: true)
        }
    }

    /// `--export`, checked as the device would check it.
    private static func setExport(_ export: String, in config: inout DeviceConfig) {
        guard let target = ShortText(text: export), tcpLink(for: export) != nil else {
            Terminal.fail(program, "--export must be http://HOST:PORT/PATH or tcp://HOST:PORT, up to 64 bytes, got '\(export)'", usage: true)
        }
        config.export = target
        if let error = config.validate() { Terminal.fail(program, "--export: \(error.field) \(error.reason)", usage: true) }
    }

    /// The board's link to the config's export target, none without one. Faster than real time,
    /// the link tells the target simulated time, from `startS` or the scenario's start hour.
    private static func boardLink(for config: DeviceConfig, scenario: Scenario, speed: Double?, startS: Int64?) -> BoardLink {
        guard !config.export.isEmpty else { return .none }
        guard let tcp = tcpLink(for: config.export.string) else {
            Terminal.fail(program, "the export '\(config.export.string)' names no host and port", usage: true)
        }
        var translating = tcp
        if speed != 1 {
            let startS = startS ?? Self.defaultDayS + Int64((scenario.startHour * 3600).rounded())
            translating.simulatedEpochNs = startS * 1_000_000_000
        }
        return .tcp(translating)
    }

    /// Drives the board with a progress line, until the scene ends or SIGINT.
    private static func drive(_ board: inout EmulatedBoard, feed: inout ScenarioFeed, speed: Double?, durationS: Double) {
        var progress = ProgressLine(total: durationS, unit: "sim-s")
        let started = Date()
        do {
            try feed.drive(&board, speed: speed, shouldStop: { interruptRequested.load(ordering: .relaxed) }) { timeS, delivered, counted in
                let realS = max(Date().timeIntervalSince(started), 1e-3)
                progress.update(
                    done: min(timeS, durationS),
                    detail: "sim \(clock(timeS))  \(delivered) frames  \(counted) counted  x\(Int(timeS / realS)) real time")
            }
        } catch {
            Terminal.fail(program, "emulated flash failed: \(error)")
        }
        progress.finish()
    }

    /// The TCP link to the host and port of a `tcp://` URL, or of an `http://` one (port 80
    /// when not given).
    private static func tcpLink(for url: String) -> TCPLink? {
        if url.hasPrefix("tcp://") { return TCPLink(url: url) }
        guard url.hasPrefix("http://") else { return nil }
        let authority = url.dropFirst("http://".count).prefix { $0 != "/" }
        guard !authority.isEmpty else { return nil }
        if let colon = authority.lastIndex(of: ":") {
            guard let port = UInt16(authority[authority.index(after: colon)...]), colon > authority.startIndex else { return nil }
            return TCPLink(host: String(authority[..<colon]), port: port)
        }
        return TCPLink(host: String(authority), port: 80)
    }

    /// 2022-09-22 00:00 UTC: the day the site scenarios stand for.
    static let defaultDayS: Int64 = 1_663_804_800

    private static func speed(_ text: String) throws(UsageError) -> Double? {
        switch text {
        case "max": return nil
        case "realtime": return 1
        default:
            guard text.hasPrefix("x"), let factor = Double(text.dropFirst()), factor.isFinite, factor > 0 else {
                throw UsageError("--speed must be max, realtime or xN with N > 0, got '\(text)'")
            }
            return factor
        }
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds)
        return String(format: "%02d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
    }
}
