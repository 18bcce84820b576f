import CheckpointCLI
import CrossingCollector
import Foundation

/// `checkpoint-collector lint`: line protocol checked line by line, as InfluxDB would take it.
enum Lint {
    static let help = """
        usage: checkpoint-collector lint [FILE|-] [--precision P] [--json]

        Parses InfluxDB line protocol from FILE (or standard input, also as '-') and reports
        each bad line with its line, column and reason. Blank and comment lines are skipped,
        as InfluxDB skips them. Exits 0 when every line is valid, 1 otherwise.

          --precision P   n (default), u, ms, s, m or h, as InfluxDB's precision parameter;
                          anything else means nanoseconds, as it does there
          --json          one JSON object per line: {"line", "ok", "column", "error"} or {"line", "ok",
                          "measurement", "tags", "fields": {"k": {"type", "value"}},
                          "timestamp"}, the timestamp in ns or null
        """

    static func main(_ argumentList: [String]) {
        if argumentList.contains("--help") || argumentList.contains("-h") {
            print(help)
            exit(0)
        }
        // One optional positional argument: the file, or '-'.
        var options = argumentList
        var path = "-"
        if let file = argumentList.firstIndex(where: { $0 == "-" || !$0.hasPrefix("-") && !isValue(of: argumentList, at: $0) }) {
            path = options.remove(at: file)
        }
        let (arguments, precision) = Command.parse(
            options, program: program, help: help, valueOptions: ["precision"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            Precision(parameter: arguments.value("precision"))
        }
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { Terminal.fail(program, "\(path): cannot read") }
            data = contents
        }
        guard arguments.flag("json") else {
            let (lines, errors) = LineParser.check([UInt8](data), precision: precision)
            for error in errors { print("\(path == "-" ? "<stdin>" : path):\(error.line):\(error.column): \(error.reason)") }
            print("\(lines) lines, \(lines - errors.count) valid, \(errors.count) invalid")
            exit(errors.isEmpty ? 0 : 1)
        }
        var bad = 0
        for line in LineParser.parse([UInt8](data), precision: precision) {
            switch line.result {
            case .success(let point):
                print(json(line: line.number, point: point).rendered())
            case .failure(let error):
                bad += 1
                print(JSONValue.object([
                    ("line", .integer(Int64(line.number))), ("ok", .bool(false)), ("column", .integer(Int64(error.column))),
                    ("error", .string(error.reason)),
                ]).rendered())
            }
        }
        exit(bad == 0 ? 0 : 1)
    }

    /// Whether the argument at `index` is the value of the option before it.
    private static func isValue(of list: [String], at argument: String) -> Bool {
        guard let index = list.firstIndex(of: argument), index > 0 else { return false }
        return list[index - 1] == "--precision"
    }

    static func json(line: Int, point: ParsedPoint) -> JSONValue {
        let fields: [(String, JSONValue)] = point.fields.map { field in
            let value: JSONValue
            switch field.value {
            case .float(let number): value = .number(number)
            case .int(let number): value = .integer(number)
            case .uint(let number): value = .unsigned(number)
            case .bool(let flag): value = .bool(flag)
            case .string(let text): value = .string(text)
            }
            return (field.key, .object([("type", .string(field.value.type.rawValue)), ("value", value)]))
        }
        return .object([
            ("line", .integer(Int64(line))), ("ok", .bool(true)), ("measurement", .string(point.measurement)),
            ("tags", .object(point.tags.map { ($0.key, .string($0.value)) })), ("fields", .object(fields)),
            ("timestamp", point.timestampNs.map { .integer($0) } ?? .null),
        ])
    }
}
