/// `GET /`: the collector's live page, one card per site, for the people who need the numbers
/// now: crossings today and in the last hour by class and direction, the queue and the wait
/// with their trend, each device's health, and the day's chart.
///
/// The page's "now" is the end of the newest minute any device has counted, not the wall
/// clock: counts arrive in batches and may be replayed from a recording, and a page of zeros
/// because the clock moved past the data would mislead. The page says which time it shows,
/// and warns when that is well behind the wall clock. `?at=TIME` shows another moment.
struct LivePage {
    let ledger: Ledger
    let sites: SiteConfig
    /// The wall clock, seconds since 1970.
    let nowS: Int64
    let atS: Int64?

    static let refreshS = 15

    var asOfS: Int64 {
        if let atS { return atS }
        let newest = ledger.totals.newestMinuteS
        return newest == .min ? nowS : newest + 60
    }

    func html() -> String {
        let asOfS = asOfS
        // The day of the last second before `asOfS`, so that at midnight the page shows the day
        // that just ended rather than an empty one.
        let dayStartS = (asOfS - 1).dividedFlooring(by: 86_400) * 86_400
        var body = "<header>\n<h1>Border crossings</h1>\n"
        body += "<p>As of <strong>\(HTML.time(asOfS))</strong>"
        body += atS == nil ? " (the newest count received). " : " (as asked). "
        body += "Updated every \(Self.refreshS) s. Counts and device health only: nothing here identifies anyone.</p>\n"
        if atS == nil, ledger.totals.newestMinuteS != .min, nowS - asOfS > 600 {
            body += "<p class=\"warn\">The newest count is \(HTML.age(nowS - asOfS)) older than the collector's clock "
            body += "(\(HTML.time(nowS))): these figures are not live.</p>\n"
        }
        body += "</header>\n<main>\n"
        let names = sites.siteNames(in: ledger)
        if names.isEmpty { body += "<p>No device has sent a count yet.</p>\n" }
        body += "<div class=\"cards\">\n"
        for (index, site) in names.enumerated() {
            body += card(site, index: index, asOfS: asOfS, dayStartS: dayStartS)
        }
        body += "</div>\n</main>\n"
        body += "<footer><p class=\"muted\">checkpoint-collector · <a href=\"/export/\(String(ReportQuery.text(dayStartS).prefix(10))).zip\">"
        body += "this day's open data (CSV per site, zip)</a></p></footer>"
        return HTML.page(title: "Border crossings, as of \(HTML.time(asOfS))", refreshS: Self.refreshS, body: body)
    }

    func card(_ site: String, index: Int, asOfS: Int64, dayStartS: Int64) -> String {
        let figures = SiteFigures(ledger: ledger, sites: sites, site: site)
        var html = "<section class=\"card\" aria-labelledby=\"card-\(index)\" data-site=\"\(HTML.escape(site))\">\n"
        html += "<h2 id=\"card-\(index)\"><a href=\"\(HTML.escape(HTML.siteLink(site)))\">\(HTML.escape(site))</a></h2>\n"
        html += figures.crossings(
            caption: "Today (\(String(ReportQuery.text(dayStartS).prefix(10))), 00:00-\(HTML.clock(asOfS)) UTC)", range: "today",
            fromS: dayStartS, toS: asOfS, by: .day)
        html += figures.crossings(
            caption: "The last hour (\(HTML.clock(asOfS - 3600))-\(HTML.clock(asOfS)) UTC)", range: "hour",
            fromS: asOfS - 3600, toS: asOfS, by: .hour)
        html += figures.queue(asOfS: asOfS)
        html += figures.devices(nowS: nowS)
        html += "<h3>The day by hour</h3>\n" + figures.chart(fromS: dayStartS, toS: dayStartS + 86_400, by: .hour)
        return html + "</section>\n"
    }
}
