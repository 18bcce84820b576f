import CheckpointCLI
import CrossingCollector
import Foundation

/// `checkpoint-collector verify`: the store's snapshot and log checked, read-only.
enum Verify {
    static let help = """
        usage: checkpoint-collector verify [DIR] [--json]

        Checks the collector's store in DIR (default: the current directory) without changing
        it: the snapshot's CRC and structure, and every record of every log segment. Prints
        what is good and what is damaged: each damaged stretch with its segment, offset and
        length, and whether intact records follow it (the collector skips it at start and
        keeps them; acknowledged writes in it are lost) or it is the segment's tail (a write a
        crash cut short, cut off at start). Safe beside a running collector.
        Exits 0 when nothing is damaged, 1 on damage or when the store cannot be read.

          --json   one JSON object: ok, snapshot {present, ok, through_segment, points, error},
                   segments [{segment, path, bytes, records, skipped [{offset, bytes, reason}],
                   tail {offset, bytes, reason} or null}]
        """

    static func main(_ argumentList: [String]) {
        let (arguments, _) = Command.parse(
            argumentList, program: program, help: help, valueOptions: [], flagOptions: ["json"], operands: true
        ) { arguments throws(UsageError) in
            if arguments.operands.count > 1 { throw UsageError("one DIR at most, got \(arguments.operands.count)") }
        }
        let directory = arguments.operands.first ?? "."
        let check: StoreCheck
        do throws(CollectorError) {
            check = try StoreCheck(directory: directory)
        } catch {
            Terminal.fail(program, error.description)
        }
        if arguments.flag("json") {
            print(json(check).rendered())
        } else {
            for line in table(check) { print(line) }
        }
        exit(check.isClean ? 0 : 1)
    }

    static func table(_ check: StoreCheck) -> [String] {
        var lines: [String] = []
        switch check.snapshot {
        case nil: lines.append("snapshot: none (never compacted)")
        case .success(let snapshot)?: lines.append("snapshot: good, \(snapshot.points) points, through segment \(snapshot.throughSegment)")
        case .failure(let error)?: lines.append("snapshot: DAMAGED: \(error.description)")
        }
        for segment in check.segments {
            let scan = segment.scan
            let state = scan.isIntact ? "good" : "DAMAGED"
            lines.append("\(segment.path): \(state), \(segment.bytes) bytes, \(scan.records) records intact")
            for damage in scan.skipped {
                lines.append("  offset \(damage.offset): \(damage.bytes) bytes skipped (\(damage.reason)); intact records follow")
            }
            if let tail = scan.tail {
                lines.append("  offset \(tail.offset): \(tail.bytes) bytes at the end (\(tail.reason)); no intact record follows")
            }
        }
        let damaged = check.segments.filter { !$0.scan.isIntact }.count
        lines.append(check.isClean ? "ok: nothing damaged" : "damage found: \(damaged) of \(check.segments.count) segments")
        return lines
    }

    static func json(_ check: StoreCheck) -> JSONValue {
        func damage(_ damage: SegmentScan.Damage) -> JSONValue {
            .object([("offset", .integer(Int64(damage.offset))), ("bytes", .integer(Int64(damage.bytes))), ("reason", .string(damage.reason))])
        }
        let snapshot: JSONValue
        switch check.snapshot {
        case nil:
            snapshot = .object([("present", .bool(false)), ("ok", .bool(true))])
        case .success(let good)?:
            snapshot = .object([
                ("present", .bool(true)), ("ok", .bool(true)), ("through_segment", .integer(Int64(good.throughSegment))),
                ("points", .integer(good.points)),
            ])
        case .failure(let error)?:
            snapshot = .object([("present", .bool(true)), ("ok", .bool(false)), ("error", .string(error.description))])
        }
        let segments = check.segments.map { segment -> JSONValue in
            .object([
                ("segment", .integer(Int64(segment.number))), ("path", .string(segment.path)), ("bytes", .integer(Int64(segment.bytes))),
                ("records", .integer(Int64(segment.scan.records))), ("skipped", .array(segment.scan.skipped.map(damage))),
                ("tail", segment.scan.tail.map(damage) ?? .null),
            ])
        }
        return .object([("ok", .bool(check.isClean)), ("snapshot", snapshot), ("segments", .array(segments))])
    }
}
