import CrossingCollector
import Foundation
import TestSupport
import Testing

/// The live page in a real browser: Debian's Chromium, headless, loads `/` and a site's page
/// from a collector fed an hour of Verkhny Lars (`Tools/live-page start`), with JavaScript on
/// and off, at a phone's width and a desktop's. Every figure the page marks with `data-column`
/// must equal the same figure in `/report` for the URL the page names in `data-report`, and
/// the screenshots are kept under `.build/live-page/`.
@Suite(.serialized)
struct LivePageBrowserTests {
    static let chromium = SystemProgram("chromium", package: "chromium")
    static let widths = [("phone", 390, 2400), ("desktop", 1280, 1800)]

    /// Runs headless Chromium on `url` and returns what it printed (the DOM, for `--dump-dom`).
    static func chromium(_ url: String, script: Bool, width: Int, height: Int, extra: [String]) throws -> String {
        // JavaScript is turned off the way a user turns it off, in the profile's content
        // settings: `--blink-settings=scriptEnabled=false` also stops `--dump-dom`, which
        // reads the page through script.
        let profile = temporaryDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        try FileManager.default.createDirectory(atPath: profile + "/Default", withIntermediateDirectories: true)
        let javascript = script ? 1 : 2
        try #"{"profile": {"default_content_setting_values": {"javascript": \#(javascript)}}}"#
            .write(toFile: profile + "/Default/Preferences", atomically: true, encoding: .utf8)
        let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                         "--window-size=\(width),\(height)", "--user-data-dir=\(profile)"]
        let (status, output) = try chromium.run(arguments + extra + [url])
        #expect(status == 0, "chromium exited \(status) on \(url)")
        return String(decoding: output, as: UTF8.self)
    }

    /// A block of figures: its `/report` URL and each `data-column` cell's text, with the
    /// interval of the row it sits in when the row names one.
    struct Figures {
        var report: String
        var range: String
        var cells: [(interval: String?, column: String, value: String)]
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
    }

    static func figures(in dom: String) throws -> [Figures] {
        let block = try Regex(#"<div class="figures" data-report="([^"]*)" data-range="([^"]*)">"#)
        let row = try Regex(#"<tr data-interval-start="([^"]*)">"#)
        let cell = try Regex(#"data-column="([a-z_]+)">([^<]*)<"#)
        let starts = dom.ranges(of: block)
        return starts.enumerated().map { index, start in
            let end = index + 1 < starts.count ? starts[index + 1].lowerBound : dom.endIndex
            let text = dom[start.lowerBound..<end]
            let head = text.firstMatch(of: block)!
            var cells: [(String?, String, String)] = []
            var interval: String?
            var position = text.startIndex
            while position < text.endIndex {
                let nextRow = text[position...].firstMatch(of: row)
                let nextCell = text[position...].firstMatch(of: cell)
                guard let found = nextCell else { break }
                if let nextRow, nextRow.range.lowerBound < found.range.lowerBound {
                    interval = String(nextRow.output[1].substring!)
                    position = nextRow.range.upperBound
                    continue
                }
                cells.append((interval, String(found.output[1].substring!), String(found.output[2].substring!)))
                position = found.range.upperBound
            }
            return Figures(report: unescape(String(head.output[1].substring!)), range: String(head.output[2].substring!), cells: cells)
        }
    }

    /// The `/report` JSON's figure for a cell: from the totals, or from the row of its interval.
    static func expected(_ json: [String: Any], interval: String?, column: String) -> String {
        func text(_ value: Any?) -> String {
            if let text = value as? String { return text }
            guard let number = value as? NSNumber else { return "" }
            // The queue's figures are formatted as the report's CSV and table format them.
            guard column.hasPrefix("queue_") || column == "wait_h" else { return String(number.int64Value) }
            return String(format: column == "queue_vehicles" ? "%.0f" : "%.2f", number.doubleValue)
        }
        guard let interval else { return text((json["totals"] as? [String: Any])?[column]) }
        let rows = json["rows"] as? [[String: Any]] ?? []
        return text(rows.first { $0["interval_start"] as? String == interval }?[column])
    }

    @Test("Every figure on / and on a site's page equals /report's, with JavaScript on and off, at a phone's and a desktop's width",
          .enabled(if: chromium.runs && PeerService.livePage.runs, "\(chromium.skipReason); \(PeerService.livePage.skipReason)"))
    func figuresMatchTheReport() throws {
        let base = try PeerService.livePage.require()
        let screenshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/live-page").path
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        for script in [true, false] {
            for (name, width, height) in Self.widths {
                let dom = try Self.chromium(base + "/", script: script, width: width, height: height, extra: ["--dump-dom"])
                #expect(dom.contains("data-live=\"script\"") == script, "JavaScript \(script ? "on" : "off") at \(name)")
                let site = try #require(dom.firstMatch(of: try Regex(#"<h2 id="card-0"><a href="([^"]+)""#)), "no site card")
                let siteDOM = try Self.chromium(
                    base + Self.unescape(String(site.output[1].substring!)), script: script, width: width, height: height, extra: ["--dump-dom"])
                let blocks = try Self.figures(in: dom) + Self.figures(in: siteDOM)
                #expect(Set(blocks.map(\.range)) == ["today", "hour", "queue", "rows"], "\(blocks.map(\.range))")
                var compared = 0
                for block in blocks {
                    let answer = try HTTPClient.request("GET", base + block.report)
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
                    for cell in block.cells {
                        #expect(cell.value == Self.expected(json, interval: cell.interval, column: cell.column),
                                "\(block.report) \(cell.interval ?? "totals") \(cell.column) with JavaScript \(script ? "on" : "off")")
                        compared += 1
                    }
                }
                #expect(compared >= 30, "compared \(compared) figures")
                let total = blocks.first { $0.range == "today" }?.cells.reduce(0) { $0 + (Int($1.value) ?? 0) } ?? 0
                #expect(total > 0, "an hour of Verkhny Lars counted nothing")
                let png = "\(screenshots)/\(name)\(script ? "" : "-no-script").png"
                _ = try Self.chromium(base + "/", script: script, width: width, height: height, extra: ["--screenshot=\(png)"])
                let bytes = try #require(FileManager.default.contents(atPath: png))
                // The PNG's IHDR width, big-endian at byte 16.
                #expect(bytes.count > 10_000 && bytes[16..<20].reduce(0) { $0 << 8 | Int($1) } == width, "\(png)")
            }
        }
    }
}
