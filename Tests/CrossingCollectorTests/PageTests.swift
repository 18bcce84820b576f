import CrossingCollector
import Foundation
import TestSupport
import Testing

/// The live page, the site page and the day's export, served by a collector in this process:
/// figures that move as counts arrive, parameters refused by name, the UI token, and the zip
/// holding exactly what `export` writes.
@Suite(.serialized)
struct PageTests {
    static let python = SystemProgram("python3", package: "python3")
    static let minuteS: Int64 = 1_663_837_200  // 2022-09-22T09:00:00Z

    static func lines(_ seq: Int, count: Int, minuteS: Int64 = minuteS, site: String = "verkhny-lars") -> [UInt8] {
        Array("""
            crossings,site=\(site),device=vl-1,lane=walkway,class=pedestrian,direction=outbound count=\(count)i,seq=\(seq)i \(minuteS)

            """.utf8)
    }

    static func write(_ collector: InProcessCollector, _ body: [UInt8], headers: [(String, String)] = []) throws {
        let answer = try HTTPClient.request("POST", collector.httpURL + "/write?db=counts&precision=s", headers: headers, body: body)
        #expect(answer.status == 204, "\(answer.text)")
    }

    /// The figure the page shows for `column` in the block of `range`.
    static func figure(_ page: String, range: String, column: String) -> String? {
        guard let block = page.range(of: "data-range=\"\(range)\"") else { return nil }
        let rest = page[block.upperBound...]
        guard let cell = rest.range(of: "data-column=\"\(column)\">") else { return nil }
        return String(rest[cell.upperBound...].prefix { $0 != "<" })
    }

    @Test("The live page's figures move as counts arrive, and it says what it is for a screen reader")
    func cardsChange() throws {
        let directory = temporaryDirectory("collector-page")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let collector = try InProcessCollector(directory: directory, keys: nil)
        defer { collector.stop() }
        let empty = try HTTPClient.request("GET", collector.httpURL + "/")
        #expect(empty.status == 200 && empty.text.contains("No device has sent a count yet"))
        try Self.write(collector, Self.lines(1, count: 7))
        let first = try HTTPClient.request("GET", collector.httpURL + "/").text
        #expect(Self.figure(first, range: "today", column: "pedestrian_outbound") == "7")
        #expect(Self.figure(first, range: "hour", column: "pedestrian_outbound") == "7")
        try Self.write(collector, Self.lines(2, count: 5, minuteS: Self.minuteS + 60))
        let second = try HTTPClient.request("GET", collector.httpURL + "/").text
        #expect(Self.figure(second, range: "today", column: "pedestrian_outbound") == "12")
        #expect(second.contains("As of <strong>2022-09-22 09:02 UTC</strong>"))
        for part in ["<title>Border crossings", "<h1>", "<caption>", "<th scope=\"col\">", "<th scope=\"row\">", "role=\"img\"",
                     "<desc>", "lang=\"en\"", "name=\"viewport\"", "<noscript><meta http-equiv=\"refresh\""] {
            #expect(second.contains(part), "missing \(part)")
        }
        #expect(!second.contains("src=\"http") && !second.contains("href=\"http"), "the page loads nothing from elsewhere")
        let site = try HTTPClient.request("GET", collector.httpURL + "/site/verkhny-lars?from=2022-09-22&to=2022-09-23")
        #expect(site.status == 200 && site.text.contains("data-interval-start=\"2022-09-22T09:00:00Z\""))
        #expect(site.text.contains("/report?site=verkhny-lars&amp;from=1663804800&amp;to=1663891200&amp;by=hour&amp;format=csv"))
        let csv = try HTTPClient.request("GET", collector.httpURL + "/report?site=verkhny-lars&from=1663804800&to=1663891200&format=csv")
        #expect(csv.status == 200 && csv.text.hasPrefix("interval_start,site,pedestrian_outbound"))
    }

    @Test("Bad page parameters are refused with 400 naming them; an unknown site is 404; HEAD has no body")
    func badParameters() throws {
        let directory = temporaryDirectory("collector-page-bad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let collector = try InProcessCollector(directory: directory, keys: nil)
        defer { collector.stop() }
        try Self.write(collector, Self.lines(1, count: 3))
        for (path, status, words) in [
            ("/?at=yesterday", 400, "at: 'yesterday' is not a time"), ("/?color=red", 400, "unknown parameter 'color'"),
            ("/?at=-99999999999999", 400, "outside 1970 to 9999"), ("/site/nowhere", 404, "no site named 'nowhere'"),
            ("/site/verkhny-lars?by=minute&from=0&to=9999999", 400, "more than 1500 intervals"),
            ("/site/verkhny-lars?by=week", 400, "by: 'week'"), ("/export/2022-02-30.zip", 400, "2022-02-30.zip' is not"),
            ("/report?format=xml", 400, "format: 'xml'"), ("/site/", 400, "no site named in the path"),
        ] {
            let answer = try HTTPClient.request("GET", collector.httpURL + path)
            #expect(answer.status == status && answer.text.contains(words), "\(path): \(answer.status) \(answer.text)")
        }
        let head = try HTTPClient.request("HEAD", collector.httpURL + "/")
        #expect(head.status == 200 && head.body.isEmpty)
        let post = try HTTPClient.request("POST", collector.httpURL + "/")
        #expect(post.status == 405)
        #expect(try HTTPClient.request("GET", collector.httpURL + "/?at=2022-09-22T09:30:00Z").status == 200)
    }

    @Test("With --ui-token the pages and /report need it, as Basic or Bearer, and never show it; writes are unaffected")
    func uiToken() throws {
        let directory = temporaryDirectory("collector-page-token")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = ServerOptions()
        options.uiToken = "s3cret-ui"
        let collector = try InProcessCollector(directory: directory, keys: nil, options: options)
        defer { collector.stop() }
        try Self.write(collector, Self.lines(1, count: 3))
        for path in ["/", "/site/verkhny-lars", "/report", "/export/2022-09-22.zip"] {
            let refused = try HTTPClient.request("GET", collector.httpURL + path)
            #expect(refused.status == 401 && refused.headers.contains { $0.name == "www-authenticate" }, "\(path)")
            let wrong = try HTTPClient.request("GET", collector.httpURL + path, headers: [("Authorization", "Bearer s3cret")])
            #expect(wrong.status == 401, "\(path)")
        }
        let basic = "Basic " + Data("anyone:s3cret-ui".utf8).base64EncodedString()
        let page = try HTTPClient.request("GET", collector.httpURL + "/", headers: [("Authorization", basic)])
        #expect(page.status == 200 && !page.text.contains("s3cret"))
        let report = try HTTPClient.request("GET", collector.httpURL + "/report", headers: [("Authorization", "Bearer s3cret-ui")])
        #expect(report.status == 200)
        #expect(try HTTPClient.request("GET", collector.httpURL + "/metrics").status == 200)
    }

    @Test("GET /export/DAY.zip holds exactly the files 'export' writes, as Python's zipfile reads them",
          .enabled(if: python.runs, "\(python.skipReason)"))
    func exportZip() throws {
        let directory = temporaryDirectory("collector-export")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let collector = try InProcessCollector(directory: directory, keys: nil)
        try Self.write(collector, Self.lines(1, count: 3) + Self.lines(2, count: 4, site: #"Kyakhta\,\ "Buryatia""#) + Self.lines(3, count: 9, minuteS: Self.minuteS + 86_400))
        let zip = try HTTPClient.request("GET", collector.httpURL + "/export/2022-09-22.zip")
        collector.stop()
        #expect(zip.status == 200 && zip.headers.contains { $0.name == "content-type" && $0.value == "application/zip" })
        try Data(zip.body).write(to: URL(fileURLWithPath: directory + "/day.zip"))
        let script = "import zipfile, sys; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2]); print(*z.namelist())"
        let (status, output) = try Self.python.run(["-c", script, directory + "/day.zip", directory + "/unzipped"])
        let names = String(decoding: output, as: UTF8.self)
        #expect(status == 0)
        #expect(names == "README.txt Kyakhta___Buryatia__2022-09-22.csv verkhny-lars_2022-09-22.csv\n", "\(names)")
        _ = try runCollector(["export", "--data", directory + "/data", "--day", "2022-09-22", "--out", directory + "/written"])
        for name in names.split(whereSeparator: \.isWhitespace) {
            let served = FileManager.default.contents(atPath: directory + "/unzipped/" + name)
            #expect(served != nil && served == FileManager.default.contents(atPath: directory + "/written/" + name), "\(name)")
        }
        let csv = try String(contentsOfFile: directory + "/written/verkhny-lars_2022-09-22.csv", encoding: .utf8)
        #expect(csv.contains("2022-09-22T09:00:00Z,verkhny-lars,3,"), "\(csv)")
        #expect(!csv.contains(",9,"), "the next day's count is not in this day's file")
    }
}
