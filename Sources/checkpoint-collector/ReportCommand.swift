import CheckpointCLI
import CrossingCollector
import Foundation

/// `checkpoint-collector report`: totals, queue and wait from a collector's store.
enum ReportCommand {
    static let help = """
        usage: checkpoint-collector report --data DIR [--site S] [--from T] [--to T] [--by minute|hour|day]
                                           [--group site|device|lane] [--format table|csv|json|svg]
                                           [--out FILE] [--sites FILE]

        Crossings per interval by class and direction, from the store in DIR (a running
        collector's too: it reads without changing anything). Per site, with a queue set in
        the sites file, also the vehicles queued, the queue's length and the wait.

          --site S         one site (default: all)
          --from T, --to T the range, from inclusive, to exclusive: 2022-09-21T06:00:00Z,
                           2022-09-21 (midnight UTC) or seconds since 1970 (default: all)
          --by I           minute, hour (default) or day
          --group G        rows per site (default), device or lane
          --format F       table (default), csv, json, or svg (a chart: crossings per interval
                           by class and direction, and the queue and wait where known)
          --out FILE       write there instead of standard output
          --sites FILE     queue settings per site (default DIR/sites.json when present)
        """

    static func main(_ argumentList: [String]) {
        let (arguments, query) = Command.parse(
            argumentList, program: program, help: help,
            valueOptions: ["data", "site", "from", "to", "by", "group", "format", "out", "sites"], flagOptions: []
        ) { arguments throws(UsageError) in
            guard arguments.value("data") != nil else { throw UsageError("--data DIR is required") }
            if let format = arguments.value("format"), !["table", "csv", "json", "svg"].contains(format) {
                throw UsageError("--format: '\(format)' is not table, csv, json or svg")
            }
            var parameters: [String: String] = [:]
            for name in ["site", "from", "to", "by", "group"] { parameters[name] = arguments.value(name) }
            do throws(ReportError) {
                return try ReportQuery(parameters: parameters)
            } catch {
                throw UsageError("--" + error.description)
            }
        }
        let (ledger, sites) = StoreReading.load(data: arguments.value("data")!, sites: arguments.value("sites"))
        let report = Report(ledger: ledger, query: query, sites: sites)
        let text: String
        switch arguments.value("format") ?? "table" {
        case "csv": text = report.csv()
        case "json": text = report.json() + "\n"
        case "svg": text = ReportChart(report: report).svg()
        default:
            text = renderTable(headers: report.columns, rows: report.rows.map(report.cells)) + "\n"
                + "\(report.rows.count) rows; totals: "
                + Report.countColumns.compactMap { column in report.totals[column].map { "\(column) \($0)" } }.joined(separator: ", ") + "\n"
                + report.sensorWarnings.map { $0 + "\n" }.joined() + report.incarnationNotes.map { $0 + "\n" }.joined()
        }
        if let out = arguments.value("out") {
            guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8)) else { Terminal.fail(program, "\(out): cannot write") }
        } else {
            print(text, terminator: "")
        }
    }
}
