import CrossingCollector
import Foundation
import CrossingSimulation
import Testing
import TestSupport

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `checkpoint-collector report` in each format, from one store: the CSV and the JSON must
/// carry exactly the table's cells, and the SVG must render.
@Suite("Collector reports")
struct ReportTests {
    /// 2022-09-22 00:00 UTC.
    static let dayS: Int64 = 1_663_804_800

    /// Three hours of two sites: Verkhny Lars with its queue counters, and a site whose name
    /// needs quoting in CSV and escaping in line protocol.
    static func store() throws -> String {
        let directory = temporaryDirectory("collector-report")
        let store = try CollectorStore(directory: directory + "/data", warn: { _ in })
        var lines = ""
        var random = SplitMix64(seed: 7)
        for minute in 0..<180 {
            let ns = (dayS + Int64(minute) * 60) * 1_000_000_000
            let approach = Int64(random.next() % 2) + (minute < 120 ? 1 : 0)
            let gate = Int64(random.next() % 2)
            lines += "crossings,site=verkhny-lars,device=vl-1,lane=approach,class=car,direction=outbound count=\(approach)i \(ns)\n"
            lines += "crossings,site=verkhny-lars,device=vl-1,lane=gate,class=car,direction=outbound count=\(gate)i \(ns)\n"
            if minute % 7 == 0 {
                lines += "crossings,site=verkhny-lars,device=vl-2,lane=walkway,class=pedestrian,direction=inbound count=3i \(ns)\n"
                lines += "crossings,site=Kyakhta\\,\\ \"Buryatia\",device=ky-1,lane=road,class=bus,direction=unknown count=1i \(ns)\n"
            }
        }
        let result = try store.ingest(Array(lines.utf8), precision: .ns, receivedNs: 0)
        #expect(result.errors.isEmpty, "\(result.errors)")
        try store.sync()
        let sites = #"{"sites": [{"site": "verkhny-lars", "queue": {"approach": {"device": "vl-1", "lane": "approach"}, "gate": {"device": "vl-1", "lane": "gate"}, "lanes": 2, "spacing_m": 5.3, "initial_vehicles": 10}}]}"#
        _ = FileManager.default.createFile(atPath: directory + "/data/sites.json", contents: Data(sites.utf8))
        return directory
    }

    @Test("The CSV and the JSON carry exactly the table's cells, for every grouping and interval")
    func formatsAgree() throws {
        let directory = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for options in [["--by", "hour"], ["--by", "minute", "--group", "lane"], ["--by", "day", "--group", "device"], ["--site", "verkhny-lars"]] {
            let base = ["report", "--data", directory + "/data"] + options
            let table = Self.parseTable(try runCollector(base + ["--format", "table"]))
            let csv = Self.parseCSV(try runCollector(base + ["--format", "csv"]))
            let json = try JSONSerialization.jsonObject(with: Data(try runCollector(base + ["--format", "json"]).utf8)) as! [String: Any]
            let columns = json["columns"] as! [String]
            let jsonRows = (json["rows"] as! [[String: Any]]).map { row in columns.map { Self.cell(row[$0]) } }
            #expect(table.count > 1, "\(options)")
            #expect(csv == table, "\(options): the CSV differs from the table")
            #expect([columns] + jsonRows == table, "\(options): the JSON differs from the table")
        }
    }

    @Test("The queue columns follow entries minus exits from the configured start, and the wait is Little's law")
    func queueColumns() throws {
        let directory = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try CollectorStore.readLedger(directory: directory + "/data", warn: { _ in })
        let sites = try SiteConfig.load(path: directory + "/data/sites.json")
        let report = Report(ledger: ledger, query: ReportQuery(site: "verkhny-lars", by: .hour), sites: sites)
        var queue = 10.0
        var exitsByMinute: [Int64: Int64] = [:]
        for hour in 0..<3 {
            for minute in (hour * 60)..<(hour * 60 + 60) {
                let at = Self.dayS + Int64(minute) * 60
                let entries = ledger.totals.sum { $0.lane == "approach" && $0.minuteS == at }
                let exits = ledger.totals.sum { $0.lane == "gate" && $0.minuteS == at }
                queue = max(0, queue + Double(entries - exits))
                exitsByMinute[at] = exits
            }
            let row = try #require(report.rows.first { $0.intervalStartS == Self.dayS + Int64(hour) * 3600 })
            let point = try #require(row.queue)
            #expect(point.vehicles == queue)
            #expect(abs(point.km - queue * 5.3 / 2 / 1000) < 1e-9)
            let end = Self.dayS + Int64(hour + 1) * 3600
            let lastHourExits = exitsByMinute.filter { $0.key >= end - 3600 && $0.key < end }.values.reduce(0, +)
            #expect(point.waitH == (lastHourExits > 0 ? queue / Double(lastHourExits) : nil))
        }
    }

    @Test("A device whose latest health calls a sensor blind or degraded is named under the table and in the JSON")
    func sensorWarnings() throws {
        let directory = temporaryDirectory("collector-report-sensors")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory + "/data", warn: { _ in })
        let ns = Self.dayS * 1_000_000_000
        // The latest line by its time wins, whatever order the lines arrive in.
        let lines = """
            crossings,site=verkhny-lars,device=vl-1,lane=walkway,class=pedestrian,direction=outbound count=4i \(ns)
            device_health,site=verkhny-lars,device=vl-1 blind_lanes=1i,degraded_lanes=2i \(ns + 120_000_000_000)
            device_health,site=verkhny-lars,device=vl-1 blind_lanes=0i,degraded_lanes=0i \(ns + 60_000_000_000)
            device_health,site=verkhny-lars,device=vl-2 blind_lanes=0i,degraded_lanes=0i \(ns + 60_000_000_000)
            device_health,site=kyakhta,device=ky-1 blind_lanes=1i,degraded_lanes=0i \(ns)

            """
        let result = try store.ingest(Array(lines.utf8), precision: .ns, receivedNs: 0)
        #expect(result.errors.isEmpty, "\(result.errors)")
        try store.sync()
        let base = ["report", "--data", directory + "/data", "--site", "verkhny-lars"]
        let table = try runCollector(base)
        #expect(table.contains("vl-1 sensors blind: lanes 0; degraded: lanes 1 (as of 2022-09-22T00:02:00Z): their counts are suspect"), "\(table)")
        #expect(!table.contains("vl-2 sensors") && !table.contains("ky-1"), "a well device, and another site's, are not named")
        let json = try JSONSerialization.jsonObject(with: Data(try runCollector(base + ["--format", "json"]).utf8)) as! [String: Any]
        let sensors = try #require(json["sensors"] as? [[String: Any]])
        #expect(sensors.map { $0["device"] as? String } == ["vl-1", "vl-2"])
        #expect(sensors.first?["blind_lanes"] as? Int == 1 && sensors.first?["degraded_lanes"] as? Int == 2)
    }

    /// The chart of the test store's queue site, by hour.
    static func chart(_ directory: String) throws -> String {
        try runCollector(["report", "--data", directory + "/data", "--site", "verkhny-lars", "--by", "hour", "--format", "svg"])
    }

    @Test("The SVG chart is well-formed XML with its title, axes and legend as text")
    func svgParses() throws {
        let directory = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let svg = try Self.chart(directory)
        let texts = SVGTexts()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = texts
        #expect(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "no error given") at line \(parser.lineNumber)")
        #expect(texts.root == "svg")
        let title = texts.texts.first ?? ""
        #expect(title.contains("verkhny-lars"), "the first text, the title, is '\(title)'")
        let shown = texts.texts.joined(separator: "|").lowercased()
        // Panel titles, the axes' units, and the legend's entries.
        for text in ["crossings per hour", "wait at the gate", "hours", "km", "queue length", "estimated wait"] {
            #expect(shown.contains(text), "no <text> says '\(text)': \(texts.texts)")
        }
    }

    @Test(
        "The SVG chart renders to a PNG at least 800 px wide (rsvg-convert)",
        .enabled(if: SystemProgram.rsvgConvert.runs, Comment(rawValue: SystemProgram.rsvgConvert.skipReason)))
    func svgRenders() throws {
        let rsvgConvert = try SystemProgram.rsvgConvert.require()
        let directory = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let svgPath = directory + "/report.svg"
        let pngPath = directory + "/report.png"
        try Self.chart(directory).write(toFile: svgPath, atomically: true, encoding: .utf8)
        let rsvg = Process()
        rsvg.executableURL = URL(fileURLWithPath: rsvgConvert)
        rsvg.arguments = ["--format", "png", "--output", pngPath, svgPath]
        rsvg.standardError = FileHandle.nullDevice
        try rsvg.run()
        rsvg.waitUntilExit()
        try #require(rsvg.terminationStatus == 0, "rsvg-convert failed with status \(rsvg.terminationStatus)")
        let png = try #require(FileManager.default.contents(atPath: pngPath))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        #expect(width >= 800, "a chart \(width) px wide")
    }

    static func cell(_ value: Any?) -> String {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: ""
        }
    }

    /// Cells by the column spans of the rule under the header.
    static func parseTable(_ text: String) -> [[String]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        guard lines.count > 2 else { return [] }
        var spans: [Range<Int>] = []
        var start: Int?
        for (index, character) in (lines[1] + [" "]).enumerated() {
            if character == "-" && start == nil { start = index }
            if character != "-", let from = start {
                spans.append(from..<index)
                start = nil
            }
        }
        let rows = [lines[0]] + lines.dropFirst(2).prefix { !$0.isEmpty && !String($0).contains(" rows; totals") }
        return rows.map { line in
            spans.map { span in
                String(line[min(span.lowerBound, line.count)..<min(span.upperBound, line.count)]).trimmingCharacters(in: .whitespaces)
            }
        }
    }

    /// RFC 4180: quoted cells may hold commas, doubled quotes and line breaks.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { cell.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(cell)
                cell = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.append(character)
            }
        }
        return rows
    }
}

/// The collector run as a command; its standard output, or an error with its standard error.
func runCollector(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try collectorExecutable())
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CollectorError("checkpoint-collector \(arguments): exit \(process.terminationStatus): \(errorText)") }
    return String(decoding: data, as: UTF8.self)
}

/// The root element and the content of every `<text>` of an SVG, as an XML parser reads them.
final class SVGTexts: NSObject, XMLParserDelegate {
    private(set) var root: String?
    private(set) var texts: [String] = []
    private var inText = false

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = name }
        if name == "text" {
            inText = true
            texts.append("")
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { texts[texts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { inText = false }
    }
}
