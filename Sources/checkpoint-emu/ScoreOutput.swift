import CheckpointCLI
import CrossingCore
import CrossingSimulation
import Foundation

/// Renders a scored run as the table people read or the JSON other tools read.
struct ScoreOutput {
    /// The subcommand that ran, for the title line.
    let command: String
    let scenario: Scenario
    let seed: UInt64
    let durationS: Double
    let wallS: Double
    let interrupted: Bool
    let results: [LaneResult]
    let report: ScoreReport

    func table() -> String {
        let showBaseline = report.baselineRows != nil
        var body: [[String]] = []
        for (index, row) in report.rows.enumerated() {
            var cells = [row.lane, "\(row.crossingClass.name)", "\(row.direction.name)", "\(row.truth)", "\(row.counted)",
                         ScoreOutput.error(counted: row.counted, truth: row.truth),
                         "\(row.matched)", "\(row.missed)", "\(row.extra)", "\(row.misclassified)"]
            if let baseline = report.baselineRows?[index] {
                cells += ["\(baseline.counted)", ScoreOutput.error(counted: baseline.counted, truth: baseline.truth)]
            }
            body.append(cells)
        }
        var headers = ["lane", "class", "direction", "truth", "counted", "error", "matched", "missed", "extra", "other class"]
        if showBaseline { headers += ["two-zone", "error"] }
        var out = "\(program) \(command): \(scenario.name), seed \(seed), \(Int(durationS)) s simulated"
        out += " in \(String(format: "%.1f", wallS)) s wall\(interrupted ? " (interrupted)" : "")\n\n"
        out += renderTable(headers: headers, rows: body) + "\n\n"
        out += String(
            format: "accuracy %.2f %%, event accuracy %.2f %%, class accuracy %.2f %%", 100 * report.accuracy,
            100 * report.eventAccuracy, 100 * report.classAccuracy)
        if let baseline = report.baselineAccuracy { out += String(format: ", two-zone baseline accuracy %.2f %%", 100 * baseline) }
        out += "\n\nclass confusion (rows: truth, columns: counted)\n"
        out += renderTable(headers: ["truth"] + ScoreReport.classes.map { "\($0.name)" } + ["missed"], rows: confusionRows())
        out += "\n\n"
        for result in results {
            if let loops = result.loopHealth, let faults = result.loopFaults {
                out += "\(result.spec.name): \(result.framesDelivered) scans (\(result.framesDropped) dropped), "
                out += "faults A [\(ScoreOutput.faultNames(faults.a).joined(separator: ","))] B [\(ScoreOutput.faultNames(faults.b).joined(separator: ","))], "
                out += "\(loops.channelFailures) loop failures, \(loops.singleLoopVehicles) counted from one loop, "
                out += "\(loops.lockedOn) locked-on, \(loops.chatter) chatter, \(loops.trailersJoined) trailer gaps joined, "
                out += "\(result.backlog) still queued upstream\n"
            } else {
                let health = result.health
                out += "\(result.spec.name): \(result.framesDelivered) frames (\(result.framesDropped) dropped, "
                out += "\(health.sequenceGaps) missing by sequence), \(health.framesRejected) rejected, "
                out += "\(health.objectsDropped) objects dropped, \(health.tracksFull) tracks full, \(result.backlog) still queued upstream, "
                out += "sensor \(result.sensorCondition.name)\n"
            }
            for error in result.frameErrors { out += "  refused \(error)\n" }
        }
        return out
    }

    private func confusionRows() -> [[String]] {
        var rows: [[String]] = []
        for truth in ScoreReport.classes {
            let matched = report.confusion.matched[truth] ?? [:]
            let missed = report.confusion.missed[truth] ?? 0
            guard !matched.isEmpty || missed > 0 else { continue }
            rows.append(["\(truth.name)"] + ScoreReport.classes.map { "\(matched[$0] ?? 0)" } + ["\(missed)"])
        }
        rows.append(["(none: extra)"] + ScoreReport.classes.map { "\(report.confusion.extra[$0] ?? 0)" } + ["-"])
        return rows
    }

    static func error(counted: Int, truth: Int) -> String {
        if truth == 0 { return counted == 0 ? "0.0%" : "+\(counted)" }
        return String(format: "%+.1f%%", 100 * Double(counted - truth) / Double(truth))
    }

    func json() -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("scenario", .string(scenario.name)),
            ("seed", .integer(Int64(seed))),
            ("duration_s", .number(durationS)),
            ("wall_s", .number((wallS * 1000).rounded() / 1000)),
            ("interrupted", .bool(interrupted)),
            ("rows", .array(report.rows.map(ScoreOutput.rowJSON))),
            ("accuracy", .number((report.accuracy * 1e6).rounded() / 1e6)),
            ("event_accuracy", .number((report.eventAccuracy * 1e6).rounded() / 1e6)),
            ("class_accuracy", .number((report.classAccuracy * 1e6).rounded() / 1e6)),
            ("confusion", confusionJSON()),
        ]
        if let baselineRows = report.baselineRows {
            members.append(("baseline", .string("two-zone")))
            members.append(("baseline_rows", .array(baselineRows.map(ScoreOutput.rowJSON))))
            members.append(("baseline_accuracy", .number(((report.baselineAccuracy ?? 0) * 1e6).rounded() / 1e6)))
        }
        members.append(("lanes", .array(results.map(ScoreOutput.laneJSON))))
        return .object(members)
    }

    static func rowJSON(_ row: ScoreReport.Row) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("lane", .string(row.lane)),
            ("class", .string("\(row.crossingClass.name)")),
            ("direction", .string("\(row.direction.name)")),
            ("truth", .integer(Int64(row.truth))),
            ("counted", .integer(Int64(row.counted))),
            ("matched", .integer(Int64(row.matched))),
            ("missed", .integer(Int64(row.missed))),
            ("extra", .integer(Int64(row.extra))),
            ("misclassified", .integer(Int64(row.misclassified))),
        ]
        if let median = row.lengthErrorMedian, let p90 = row.lengthErrorP90 {
            members.append(("length_error_median", .number((median * 10_000).rounded() / 10_000)))
            members.append(("length_error_p90", .number((p90 * 10_000).rounded() / 10_000)))
        }
        return .object(members)
    }

    /// `{"pedestrian": {"pedestrian": 120, "bicycle": 1, ..., "missed": 0}, ..., "extra": {...}}`
    private func confusionJSON() -> JSONValue {
        var members: [(String, JSONValue)] = []
        for truth in ScoreReport.classes {
            let matched = report.confusion.matched[truth] ?? [:]
            var cells: [(String, JSONValue)] = ScoreReport.classes.map { ("\($0.name)", .integer(Int64(matched[$0] ?? 0))) }
            cells.append(("missed", .integer(Int64(report.confusion.missed[truth] ?? 0))))
            members.append(("\(truth.name)", .object(cells)))
        }
        members.append(("extra", .object(ScoreReport.classes.map {
            ("\($0.name)", .integer(Int64(report.confusion.extra[$0] ?? 0)))
        })))
        return .object(members)
    }

    static func faultNames(_ faults: LoopFault) -> [String] {
        let names: [(LoopFault, String)] = [(.open, "open"), (.shorted, "shorted"), (.noHits, "no-hits"), (.lockedOn, "locked-on")]
        return names.filter { faults.contains($0.0) }.map(\.1)
    }

    static func laneJSON(_ result: LaneResult) -> JSONValue {
        if let loops = result.loopHealth, let faults = result.loopFaults {
            return .object([
                ("lane", .string(result.spec.name)),
                ("scans", .integer(Int64(result.framesDelivered))),
                ("scans_dropped", .integer(Int64(result.framesDropped))),
                ("scans_rejected", .integer(Int64(loops.samplesRejected))),
                ("faults_a", .array(faultNames(faults.a).map { .string($0) })),
                ("faults_b", .array(faultNames(faults.b).map { .string($0) })),
                ("loop_failures", .integer(Int64(loops.channelFailures))),
                ("single_loop_vehicles", .integer(Int64(loops.singleLoopVehicles))),
                ("locked_on", .integer(Int64(loops.lockedOn))),
                ("chatter", .integer(Int64(loops.chatter))),
                ("trailer_gaps_joined", .integer(Int64(loops.trailersJoined))),
                ("queued_upstream", .integer(Int64(result.backlog))),
                ("simulated_s", .number(result.simulatedS.rounded())),
            ])
        }
        let health = result.health
        return .object([
            ("lane", .string(result.spec.name)),
            ("frames", .integer(Int64(result.framesDelivered))),
            ("frames_dropped", .integer(Int64(result.framesDropped))),
            ("frames_rejected", .integer(Int64(health.framesRejected))),
            ("sequence_gaps", .integer(Int64(health.sequenceGaps))),
            ("invalid_zones", .integer(Int64(health.invalidZones))),
            ("objects_dropped", .integer(Int64(health.objectsDropped))),
            ("tracks_full", .integer(Int64(health.tracksFull))),
            ("zones_stuck", .integer(Int64(health.zonesStuck))),
            ("sensor", .string("\(result.sensorCondition.name)")),
            ("queued_upstream", .integer(Int64(result.backlog))),
            ("simulated_s", .number(result.simulatedS.rounded())),
        ])
    }
}
