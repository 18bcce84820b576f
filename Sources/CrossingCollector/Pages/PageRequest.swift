/// A request for one of the collector's pages (docs/collector-api.md, "Pages"), its parameters
/// read and checked: a bad one is an error naming it, answered with 400, never a page drawn
/// from a guess.
public enum PageRequest: Sendable, Equatable {
    /// `GET /`: a card per site, as of `atS` (seconds since 1970), or of the newest count.
    case overview(atS: Int64?)
    /// `GET /site/NAME`: one site over a range, by an interval.
    case site(name: String, fromS: Int64?, toS: Int64?, by: ReportInterval)
    /// `GET /export/DAY.zip`: a day's open data, a CSV per site and its README.txt.
    case export(day: String)

    /// The earliest and latest times a page takes: 1970 to the end of 9999, so that no
    /// arithmetic on a day or an hour around them can overflow.
    public static let timesS: ClosedRange<Int64> = 0...253_402_300_799
    /// The most intervals a site page draws: a year by day, a month by hour or a day by minute.
    public static let intervalsMax: Int64 = 1_500

    /// Nil when `path` is not a page's; throws when it is one but a parameter is wrong.
    public init?(path: String, query: [String: String]) throws(ReportError) {
        func time(_ name: String) throws(ReportError) -> Int64? {
            guard let text = query[name] else { return nil }
            let seconds = try ReportQuery.time(text, name: name)
            guard Self.timesS.contains(seconds) else { throw ReportError("\(name): '\(text)' is outside 1970 to 9999") }
            return seconds
        }
        func only(_ names: Set<String>) throws(ReportError) {
            if let unknown = query.keys.sorted().first(where: { !names.contains($0) }) {
                throw ReportError("unknown parameter '\(unknown)' (known: \(names.sorted().joined(separator: ", ")))")
            }
        }
        if path == "/" {
            try only(["at"])
            self = .overview(atS: try time("at"))
        } else if path.hasPrefix("/site/") {
            try only(["from", "to", "by"])
            let name = HTTPRequestReader.percentDecoded(path.dropFirst("/site/".count))
            guard !name.isEmpty else { throw ReportError("no site named in the path: /site/NAME") }
            var by = ReportInterval.hour
            if let text = query["by"] {
                guard let value = ReportInterval(rawValue: text) else { throw ReportError("by: '\(text)' is not minute, hour or day") }
                by = value
            }
            let fromS = try time("from")
            let toS = try time("to")
            if let fromS, let toS {
                guard toS > fromS else { throw ReportError("to: must be after from") }
                guard (toS - fromS) / by.seconds <= Self.intervalsMax else {
                    throw ReportError("from-to spans more than \(Self.intervalsMax) intervals of a \(by.rawValue): choose a longer 'by'")
                }
            }
            self = .site(name: name, fromS: fromS, toS: toS, by: by)
        } else if path.hasPrefix("/export/") {
            try only([])
            let name = path.dropFirst("/export/".count)
            guard name.hasSuffix(".zip"), ExportDay.startS(of: String(name.dropLast(4))) != nil else {
                throw ReportError("export: '\(path)' is not /export/YYYY-MM-DD.zip")
            }
            self = .export(day: String(name.dropLast(4)))
        } else {
            return nil
        }
    }

    /// What a page's request is answered with: its status, content type, body and headers, or
    /// for a status other than 200 the reason, as text.
    public struct Answer: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
        public var headers: [(String, String)]

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The page drawn from the ledger; `nowS` is the wall clock, seconds since 1970.
    public func answer(ledger: Ledger, sites: SiteConfig, nowS: Int64) throws(ReportError) -> Answer {
        let html = "text/html; charset=utf-8"
        let fresh = [("Cache-Control", "no-store")]
        switch self {
        case .overview(let atS):
            let page = LivePage(ledger: ledger, sites: sites, nowS: nowS, atS: atS)
            return Answer(status: 200, contentType: html, body: Array(page.html().utf8), headers: fresh)
        case .site(let name, let fromS, let toS, let by):
            guard let page = SitePage(ledger: ledger, sites: sites, site: name, fromS: fromS, toS: toS, by: by, nowS: nowS) else {
                return Answer(
                    status: 404, contentType: "text/plain", body: Array("no site named '\(name)' has counted, and none is configured".utf8),
                    headers: [])
            }
            return Answer(status: 200, contentType: html, body: Array(page.html().utf8), headers: fresh)
        case .export(let day):
            guard let export = ExportDay(ledger: ledger, sites: sites, day: day) else { throw ReportError("export: '\(day)' is not a day") }
            return Answer(
                status: 200, contentType: "application/zip", body: ZipArchive.stored(export.files, dosTime: ZipArchive.dosTime(nowS)),
                headers: [("Content-Disposition", "attachment; filename=\"checkpoint-counts-\(day).zip\""), ("Cache-Control", "no-store")])
        }
    }
}
