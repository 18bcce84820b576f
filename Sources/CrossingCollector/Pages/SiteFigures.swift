/// The blocks of figures the pages are built from, each drawn from the same `Report` that
/// `GET /report` serves, and each carrying in `data-report` the `/report` URL of exactly its
/// figures (and in `data-column` which of them a cell is), so that anyone, or a test, can check
/// the page against the report.
struct SiteFigures {
    let ledger: Ledger
    let sites: SiteConfig
    let site: String
    /// The site's queue, estimated once for every block: each estimate is a pass over every
    /// total held, on the server's one thread.
    let estimate: QueueEstimate?

    init(ledger: Ledger, sites: SiteConfig, site: String) {
        self.ledger = ledger
        self.sites = sites
        self.site = site
        estimate = sites.queues[site].map { QueueEstimate(ledger: ledger, site: site, queue: $0) }
    }

    static let classNames = ["pedestrian": "Pedestrians", "bicycle": "Bicycles", "car": "Cars", "bus": "Buses, trucks"]

    func report(fromS: Int64, toS: Int64, by: ReportInterval) -> Report {
        Report(
            ledger: ledger, query: ReportQuery(site: site, fromS: fromS, toS: toS, by: by, group: .site), sites: sites,
            estimated: estimate.map { [site: $0] } ?? [:])
    }

    /// Crossings by class and direction over a range, with links to the JSON and CSV.
    func crossings(caption: String, range: String, fromS: Int64, toS: Int64, by: ReportInterval) -> String {
        let totals = report(fromS: fromS, toS: toS, by: by).totals
        let link = HTML.reportLink(site: site, fromS: fromS, toS: toS, by: by)
        var html = """
            <div class="figures" data-report="\(HTML.escape(link))" data-range="\(range)">
            <div class="scroll"><table>
            <caption>\(HTML.escape(caption))</caption>
            <thead><tr><th scope="col">Class</th><th scope="col"><abbr title="outbound: leaving the country">Out</abbr></th>\
            <th scope="col"><abbr title="inbound: arriving">In</abbr></th><th scope="col">Both</th></tr></thead>
            <tbody>

            """
        var sums: [Int64] = [0, 0]
        for crossingClass in Report.classes {
            let counts = Report.directions.map { totals["\(crossingClass)_\($0)"] ?? 0 }
            sums = zip(sums, counts).map { $0 + $1 }
            html += "<tr><th scope=\"row\">\(Self.classNames[crossingClass]!)</th>"
            for (direction, count) in zip(Report.directions, counts) {
                html += "<td data-column=\"\(crossingClass)_\(direction)\">\(count)</td>"
            }
            html += "<td>\(counts.reduce(0, +))</td></tr>\n"
        }
        html += "<tr><th scope=\"row\">All</th><td>\(sums[0])</td><td>\(sums[1])</td><td>\(sums[0] + sums[1])</td></tr>\n"
        html += "</tbody></table></div>\n"
        html += "<p class=\"muted\">Direction not known: <span data-column=\"direction_unknown\">\(totals["direction_unknown"] ?? 0)</span>. "
        html += "<a href=\"\(HTML.escape(link))\">JSON</a> · "
        html += "<a href=\"\(HTML.escape(HTML.reportLink(site: site, fromS: fromS, toS: toS, by: by, csv: true)))\">CSV</a></p>\n</div>\n"
        return html
    }

    /// The queue and the wait now, then at the end of each of the last six hours, with the
    /// trend; nothing for a site without a queue configured.
    func queue(asOfS: Int64) -> String {
        guard let estimate else { return "" }
        let now = Report.queueCells(estimate.at(asOfS))
        var html = "<h3>Queue and wait</h3>\n"
        guard !now[0].isEmpty else { return html + "<p>No queue estimate yet: neither queue counter has counted.</p>\n" }
        html += "<p>Now (\(HTML.clock(asOfS)) UTC): <span class=\"big\">\(now[0])</span> vehicles, "
        html += "<span class=\"big\">\(now[1])</span> km"
        html += now[2].isEmpty ? ", no wait estimate (nothing left the gate in the last hour)." : ", wait <span class=\"big\">\(now[2])</span> h."
        if let hourAgo = estimate.at(asOfS - 3600) {
            let change = (estimate.at(asOfS)?.vehicles ?? 0) - hourAgo.vehicles
            let trend = abs(change) < 1 ? "steady" : change > 0 ? "growing" : "shrinking"
            html += " The queue is <strong>\(trend)</strong>: \(change >= 0 ? "+" : "")\(HTML.number(change, decimals: 0)) vehicles in the last hour."
        }
        html += "</p>\n"
        let lastHourS = asOfS.dividedFlooring(by: 3600) * 3600
        let fromS = lastHourS - 6 * 3600
        let link = HTML.reportLink(site: site, fromS: fromS, toS: lastHourS, by: .hour)
        html += """
            <div class="figures" data-report="\(HTML.escape(link))" data-range="queue">
            <div class="scroll"><table>
            <caption>The last six hours (at each hour's end)</caption>
            <thead><tr><th scope="col">Hour (UTC)</th><th scope="col">Vehicles</th><th scope="col">km</th><th scope="col">Wait (h)</th></tr></thead>
            <tbody>

            """
        for startS in stride(from: fromS, to: lastHourS, by: 3600) {
            let cells = Report.queueCells(estimate.at(startS + 3600))
            html += "<tr data-interval-start=\"\(ReportQuery.text(startS))\"><th scope=\"row\">\(HTML.clock(startS))-\(HTML.clock(startS + 3600))</th>"
            html += zip(["queue_vehicles", "queue_km", "wait_h"], cells).map { "<td data-column=\"\($0)\">\($1)</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody></table></div>\n</div>\n"
    }

    /// Each device of the site: when it was last heard, its sensors, backlog, faults and lives.
    func devices(nowS: Int64) -> String {
        let devices = Set(ledger.totals.series.filter { $0.site == site }.map(\.device))
            .union(ledger.health.filter { $0.value.site == site }.keys).sorted()
        guard !devices.isEmpty else { return "" }
        var html = """
            <h3>Devices</h3>
            <div class="scroll"><table>
            <caption>Health, as each device last reported it</caption>
            <thead><tr><th scope="col">Device</th><th scope="col">Last heard</th><th scope="col">Sensors</th>\
            <th scope="col">Outbox</th><th scope="col">Faults</th><th scope="col">Incarnations</th></tr></thead>
            <tbody>

            """
        for device in devices {
            let health = ledger.health[device]
            let heard = ledger.lastHeardNs[device].map { HTML.age(nowS - $0.dividedFlooring(by: 1_000_000_000)) + " ago" } ?? "never"
            let lives = ledger.incarnations.keys.filter { $0.device == device }.count
            var faults = health?.faults.filter { $0.count > 0 }.map { "\($0.kind.replacingOccurrences(of: "_", with: " ")) \($0.count)" } ?? []
            if faults.isEmpty { faults = [health == nil ? "-" : "none"] }
            html += "<tr><th scope=\"row\">\(HTML.escape(device))</th><td>\(heard)</td><td>\(sensors(health))</td>"
            html += "<td>\(health.map { String($0.outboxRecords) } ?? "-")</td><td>\(faults.joined(separator: ", "))</td><td>\(lives)</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    /// `ok`, or which lanes are silent, blind or degraded, marked as a warning.
    func sensors(_ health: DeviceHealth?) -> String {
        guard let health else { return "no health line yet" }
        let parts = health.sensorConditions(includingSilent: true)
        return parts.isEmpty ? "ok" : "<span class=\"warn\">\(parts.joined(separator: "; "))</span>"
    }

    /// The day's chart by hour, inline: its title and description are the chart's text.
    func chart(fromS: Int64, toS: Int64, by: ReportInterval) -> String {
        "<div class=\"chart\">\n" + ReportChart(report: report(fromS: fromS, toS: toS, by: by)).svg() + "</div>\n"
    }
}
