import CheckpointCLI
import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation

/// The device's totals and health as `run`, `record` and `replay` print them: a table, or one
/// JSON object `{"device", "site", "totals": [{"lane", "class", "direction", "count"}],
/// "health": {...}}`.
enum DeviceTotals {
    static let classes = ScoreReport.classes
    static let directions: [Direction] = [.outbound, .inbound, .unknown]

    /// `scenesEnded`: lanes whose feed has ended, so that their sensors' silence is expected.
    static func table(_ board: EmulatedBoard, scenesEnded: Set<Int> = []) -> String {
        let device = board.device
        var rows: [[String]] = []
        for lane in 0..<device.config.laneCount {
            for crossingClass in classes {
                let counts = directions.map { board.total(lane: lane, crossingClass, $0) }
                guard counts.contains(where: { $0 > 0 }) else { continue }
                rows.append(["\(device.config.lane(lane).name.string)", "\(crossingClass.name)"] + counts.map { "\($0)" })
            }
        }
        let health = summary(board, scenesEnded: scenesEnded)
        let lines = health.map { "\($0.0.replacingOccurrences(of: "_", with: " ")): \(render($0.1))" }
        return "device \(device.config.device.string) at \(device.config.site.string)\n\n"
            + renderTable(headers: ["lane", "class", "outbound", "inbound", "unknown"], rows: rows)
            + "\n\n" + lines.joined(separator: "\n") + "\n"
    }

    static func json(_ board: EmulatedBoard, scenesEnded: Set<Int> = [], extra: [(String, JSONValue)] = []) -> JSONValue {
        let config = board.device.config
        var totals: [JSONValue] = []
        for lane in 0..<config.laneCount {
            for crossingClass in classes {
                for direction in directions {
                    totals.append(.object([
                        ("lane", .string(config.lane(lane).name.string)), ("class", .string("\(crossingClass.name)")),
                        ("direction", .string("\(direction.name)")),
                        ("count", .integer(Int64(board.total(lane: lane, crossingClass, direction)))),
                    ]))
                }
            }
        }
        let members: [(String, JSONValue)] = [
            ("device", .string(config.device.string)), ("site", .string(config.site.string)), ("totals", .array(totals)),
            ("health", .object(summary(board, scenesEnded: scenesEnded))),
        ]
        return .object(members + extra)
    }

    /// Health over every lane, then each lane's faults.
    static func summary(_ board: EmulatedBoard, scenesEnded: Set<Int>) -> [(String, JSONValue)] {
        let device = board.device
        let lanes = (0..<device.config.laneCount).map { device.driverHealth(lane: $0) }
        func sum(_ field: (DriverHealth) -> UInt64) -> JSONValue { .integer(Int64(lanes.map(field).reduce(0, +))) }
        var faults: [JSONValue] = []
        for lane in 0..<device.config.laneCount {
            let name = device.config.lane(lane).name.string
            if device.health.silentLanes & (1 << lane) != 0 {
                faults.append(.string("\(name): sensor silent" + (scenesEnded.contains(lane) ? " (its scene ended)" : "")))
            }
            if device.health.blindLanes & (1 << lane) != 0 { faults.append(.string("\(name): sensor blind")) }
            if device.health.degradedLanes & (1 << lane) != 0 { faults.append(.string("\(name): sensor degraded")) }
            let loops = device.loopFaults(lane: lane)
            for (loop, fault) in [("A", loops.a), ("B", loops.b)] where !fault.isEmpty {
                faults.append(.string("\(name): loop \(loop) \(describe(fault))"))
            }
        }
        var export: [(String, JSONValue)] = []
        if let health = device.exportHealth {
            export = [
                ("export_requests", .integer(Int64(health.requests))),
                ("export_records_acknowledged", .integer(Int64(health.recordsAcknowledged))),
                ("export_records_refused", .integer(Int64(health.recordsRefused))),
                ("export_failures", .integer(Int64(health.connectFailures + health.resets + health.serverErrors))),
                ("export_last_status", .integer(Int64(health.lastStatus))),
                ("outbox_records", .integer(Int64(device.outbox.count))),
                ("bins_merged", .integer(Int64(device.outbox.binsMergedAway))),
                ("wall_time_known", .bool(device.wallTime.offsetNs != nil)),
            ]
            if !health.lastRefusal.isEmpty { export.append(("export_last_refusal", .string(health.lastRefusal.string))) }
        }
        return [
            ("frames_counted", sum(\.frames)), ("bus_errors", sum(\.busErrors)), ("corrupt_frames", sum(\.corruptFrames)),
            ("stale_frames", sum(\.staleFrames)), ("overruns", sum(\.overruns)),
            ("frames_rejected", .integer(Int64(device.health.framesRejected))),
            ("journal_commits", .integer(Int64(device.health.commits))),
            ("lanes_restored", .integer(Int64(device.health.lanesRestored))),
            ("indicator", .string("\(device.indicator.pattern)")), ("faults", .array(faults)),
        ] + export
    }

    private static func describe(_ fault: LoopFault) -> String {
        [(LoopFault.open, "open"), (.shorted, "shorted"), (.noHits, "no-hits"), (.lockedOn, "locked-on")]
            .filter { fault.contains($0.0) }.map(\.1).joined(separator: ",")
    }

    private static func render(_ value: JSONValue) -> String {
        if case .array(let items) = value {
            return items.isEmpty ? "none" : items.map(render).joined(separator: "; ")
        }
        if case .string(let text) = value { return text }
        return value.rendered()
    }
}
