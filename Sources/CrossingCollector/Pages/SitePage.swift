/// `GET /site/NAME?from=&to=&by=`: one site over a chosen range, every interval's row as
/// `report` gives it, the chart, and links to the CSV and JSON of exactly what is shown. The
/// range defaults to the day of the newest count, by hour.
struct SitePage {
    let ledger: Ledger
    let sites: SiteConfig
    let site: String
    let fromS: Int64
    let toS: Int64
    let by: ReportInterval

    /// The page, or nil when no site of that name has counted or is configured.
    init?(ledger: Ledger, sites: SiteConfig, site: String, fromS: Int64?, toS: Int64?, by: ReportInterval, nowS: Int64) {
        guard sites.siteNames(in: ledger).contains(site) else { return nil }
        let newest = ledger.totals.newestMinuteS == .min ? nowS : ledger.totals.newestMinuteS
        let from = fromS ?? (toS.map { $0 - 86_400 } ?? newest.dividedFlooring(by: 86_400) * 86_400)
        self.ledger = ledger
        self.sites = sites
        self.site = site
        self.fromS = from
        self.toS = toS ?? from + 86_400
        self.by = by
    }

    func html() -> String {
        let figures = SiteFigures(ledger: ledger, sites: sites, site: site)
        let report = figures.report(fromS: fromS, toS: toS, by: by)
        let link = HTML.reportLink(site: site, fromS: fromS, toS: toS, by: by)
        var body = "<header>\n<p><a href=\"/\">All sites</a></p>\n<h1>\(HTML.escape(site))</h1>\n"
        body += "<p>\(HTML.time(fromS)) to \(HTML.time(toS)), by \(by.rawValue).</p>\n"
        body += "<form method=\"get\" action=\"\(HTML.escape(HTML.siteLink(site)))\">"
        body += "<label>From<input name=\"from\" value=\"\(ReportQuery.text(fromS))\"></label>"
        body += "<label>To<input name=\"to\" value=\"\(ReportQuery.text(toS))\"></label>"
        body += "<label>By<select name=\"by\">"
        for interval in ReportInterval.allCases {
            body += "<option\(interval == by ? " selected" : "")>\(interval.rawValue)</option>"
        }
        body += "</select></label><button>Show</button></form>\n</header>\n<main>\n"
        body += "<p><a href=\"\(HTML.escape(link))\">JSON</a> · "
        body += "<a href=\"\(HTML.escape(HTML.reportLink(site: site, fromS: fromS, toS: toS, by: by, csv: true)))\">CSV</a> "
        body += "of exactly this table.</p>\n"
        body += "<div class=\"figures\" data-report=\"\(HTML.escape(link))\" data-range=\"rows\">\n<div class=\"scroll\"><table>\n"
        body += "<caption>Crossings per \(by.rawValue) by class and direction</caption>\n<thead><tr>"
        let columns = report.columns
        body += columns.map { "<th scope=\"col\">\(HTML.escape($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined()
        body += "</tr></thead>\n<tbody>\n"
        for row in report.rows {
            body += "<tr data-interval-start=\"\(ReportQuery.text(row.intervalStartS))\">"
            for (index, (column, cell)) in zip(columns, report.cells(row)).enumerated() {
                body += index == 0 ? "<th scope=\"row\">\(HTML.escape(cell))</th>" : "<td data-column=\"\(column)\">\(HTML.escape(cell))</td>"
            }
            body += "</tr>\n"
        }
        if report.rows.isEmpty { body += "<tr><td colspan=\"\(columns.count)\">No crossings in this range.</td></tr>\n" }
        body += "</tbody></table></div>\n</div>\n"
        body += figures.chart(fromS: fromS, toS: toS, by: by) + "</main>\n"
        return HTML.page(title: "\(site): border crossings, \(HTML.time(fromS)) to \(HTML.time(toS))", refreshS: nil, body: body)
    }
}
