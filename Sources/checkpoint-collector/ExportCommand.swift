import CheckpointCLI
import CrossingCollector
import Foundation

/// `checkpoint-collector export`: a day's open data, for journalists and anyone else.
enum ExportCommand {
    static let help = """
        usage: checkpoint-collector export --data DIR --day YYYY-MM-DD --out OUTDIR [--sites FILE]

        Writes a day's open data to OUTDIR: one CSV per site, its crossings per hour (UTC)
        by class and direction, with the queue and wait where the site has them, and a
        README.txt that says what every column means, the units, the time zone, how the counts
        are made and how accurate they are. Counts only: nothing in them identifies anyone.
        A running collector serves the same files as one zip at GET /export/YYYY-MM-DD.zip.
        Reads the store in DIR without changing it.

          --data DIR       the collector's store
          --day DAY        the UTC day, YYYY-MM-DD
          --out OUTDIR     where to write (made if missing; files of the same names replaced)
          --sites FILE     queue settings per site (default DIR/sites.json when present)
        """

    static func main(_ argumentList: [String]) {
        let (arguments, day) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["data", "day", "out", "sites"], flagOptions: []
        ) { arguments throws(UsageError) in
            guard arguments.value("data") != nil else { throw UsageError("--data DIR is required") }
            guard arguments.value("out") != nil else { throw UsageError("--out OUTDIR is required") }
            guard let day = arguments.value("day") else { throw UsageError("--day YYYY-MM-DD is required") }
            guard ExportDay.startS(of: day) != nil else { throw UsageError("--day: '\(day)' is not a day (YYYY-MM-DD)") }
            return day
        }
        let out = arguments.value("out")!
        let (ledger, sites) = StoreReading.load(data: arguments.value("data")!, sites: arguments.value("sites"))
        let export = ExportDay(ledger: ledger, sites: sites, day: day)!
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            Terminal.fail(program, "\(out): cannot make the directory: \(error.localizedDescription)")
        }
        for file in export.files {
            let path = out + "/" + file.name
            guard FileManager.default.createFile(atPath: path, contents: Data(file.bytes)) else { Terminal.fail(program, "\(path): cannot write") }
        }
        let count = export.files.count - 1
        Terminal.error("\(program): \(count) site file\(count == 1 ? "" : "s") and README.txt for \(day) in \(out)")
    }
}
