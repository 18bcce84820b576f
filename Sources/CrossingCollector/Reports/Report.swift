import Foundation

/// Crossing totals per interval, with the queue and the wait where a site has them: the rows
/// that `report` prints as a table, CSV, JSON or an SVG chart, and `GET /report` serves.
public struct Report: Sendable {
    /// One interval of one site (or device, or lane).
    public struct Row: Sendable {
        public var intervalStartS: Int64
        public var site: String
        public var device: String?
        public var lane: String?
        /// By `Report.countColumns` name.
        public var counts: [String: Int64]
        public var queue: QueueEstimate.Point?
    }

    public static let classes = ["pedestrian", "bicycle", "car", "bus"]
    public static let directions = ["outbound", "inbound"]
    /// A column per class and direction, then crossings whose direction was not known.
    public static let countColumns = classes.flatMap { c in directions.map { "\(c)_\($0)" } } + ["direction_unknown"]

    public let query: ReportQuery
    public private(set) var rows: [Row] = []
    /// The sites whose queue is estimated, and the estimate.
    public private(set) var queues: [String: QueueEstimate] = [:]
    /// What each device of the report's site (or of every site) last said of its sensors, by
    /// device name: counts from a lane whose sensor is blind or degraded are suspect.
    public private(set) var sensors: [(device: String, report: DeviceHealth)] = []
    /// Every incarnation of the report's devices (docs/device-protocol.md, "Incarnations"), by
    /// device then number, with when it was first seen, s since 1970.
    public private(set) var incarnations: [(origin: DeviceIncarnation, firstSeenS: Int64)] = []

    /// The report of `query` from the ledger. `estimated` holds queue estimates already made
    /// from the same ledger, by site, so that a page drawing several reports of one site scans
    /// the totals for its queue once.
    public init(ledger: Ledger, query: ReportQuery, sites: SiteConfig, estimated: [String: QueueEstimate] = [:]) {
        self.query = query
        struct RowKey: Hashable {
            var start: Int64
            var site: String
            var device: String?
            var lane: String?
        }
        var grouped: [RowKey: [String: Int64]] = [:]
        for (key, count) in ledger.totals {
            if let site = query.site, key.site != site { continue }
            // An approach counter counts vehicles joining the queue, not crossing: a site's
            // crossings are its other counters'.
            if query.group == .site, let queue = sites.queues[key.site], queue.approach.matches(key) { continue }
            if let from = query.fromS, key.minuteS < from { continue }
            if let to = query.toS, key.minuteS >= to { continue }
            let column = Self.directions.contains(key.direction) ? "\(key.crossingClass)_\(key.direction)" : "direction_unknown"
            let rowKey = RowKey(
                start: key.minuteS.dividedFlooring(by: query.by.seconds) * query.by.seconds, site: key.site,
                device: query.group == .site ? nil : key.device, lane: query.group == .lane ? key.lane : nil)
            grouped[rowKey, default: [:]][column, default: 0] += count
        }
        sensors = ledger.health.filter { query.site == nil || $0.value.site == query.site }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let devices = query.site == nil ? nil : Set(ledger.totals.series.filter { $0.site == query.site }.map(\.device))
        incarnations = ledger.incarnations.filter { devices?.contains($0.key.device) ?? true }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value.dividedFlooring(by: 1_000_000_000)) }
        if query.group == .site {
            for (site, queue) in sites.queues where query.site == nil || query.site == site {
                queues[site] = estimated[site] ?? QueueEstimate(ledger: ledger, site: site, queue: queue)
            }
        }
        rows = grouped.map { key, counts in
            Row(intervalStartS: key.start, site: key.site, device: key.device, lane: key.lane, counts: counts,
                queue: queues[key.site]?.at(key.start + query.by.seconds))
        }.sorted {
            ($0.intervalStartS, $0.site, $0.device ?? "", $0.lane ?? "") < ($1.intervalStartS, $1.site, $1.device ?? "", $1.lane ?? "")
        }
    }

    /// Every row's counts summed, by column.
    public var totals: [String: Int64] {
        rows.reduce(into: [:]) { sum, row in
            for (column, count) in row.counts { sum[column, default: 0] += count }
        }
    }

    /// The columns of the table and the CSV, and the keys of each JSON row, in order.
    public var columns: [String] {
        var columns = ["interval_start", "site"]
        if query.group != .site { columns.append("device") }
        if query.group == .lane { columns.append("lane") }
        columns += Self.countColumns
        if query.group == .site { columns += ["queue_vehicles", "queue_km", "wait_h"] }
        return columns
    }

    /// A row's cells as text, one per column; an empty cell where there is no estimate.
    public func cells(_ row: Row) -> [String] {
        var cells = [ReportQuery.text(row.intervalStartS), row.site]
        if query.group != .site { cells.append(row.device ?? "") }
        if query.group == .lane { cells.append(row.lane ?? "") }
        cells += Self.countColumns.map { String(row.counts[$0] ?? 0) }
        if query.group == .site {
            cells += Self.queueCells(row.queue)
        }
        return cells
    }

    /// A queue estimate as the `queue_vehicles`, `queue_km` and `wait_h` cells: whole vehicles,
    /// km and hours to two places; empty where there is no estimate. The pages show the same.
    public static func queueCells(_ point: QueueEstimate.Point?) -> [String] {
        [point.map { String(format: "%.0f", $0.vehicles) } ?? "", point.map { String(format: "%.2f", $0.km) } ?? "",
         point?.waitH.map { String(format: "%.2f", $0) } ?? ""]
    }

    /// RFC 4180 CSV: a header, then a row per interval, the same cells as the table.
    public func csv() -> String {
        func quoted(_ cell: String) -> String {
            cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }
        return ([columns] + rows.map(cells)).map { $0.map(quoted).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One JSON object: the query, the columns, a row object per interval keyed by column (counts
    /// as integers, the estimates as numbers or null), and the totals.
    public func json() -> String {
        let columns = columns
        let jsonRows: [[String: Any]] = rows.map { row in
            var object: [String: Any] = [:]
            for (column, cell) in zip(columns, cells(row)) {
                if Self.countColumns.contains(column) {
                    object[column] = row.counts[column] ?? 0
                } else if ["queue_vehicles", "queue_km", "wait_h"].contains(column) {
                    object[column] = cell.isEmpty ? NSNull() : (Double(cell) ?? 0) as Any
                } else {
                    object[column] = cell
                }
            }
            return object
        }
        let totals = totals
        let root: [String: Any] = [
            "site": query.site ?? NSNull(), "from": query.fromS.map(ReportQuery.text) ?? NSNull(),
            "to": query.toS.map(ReportQuery.text) ?? NSNull(), "by": query.by.rawValue, "group": query.group.rawValue,
            "columns": columns, "rows": jsonRows, "totals": Dictionary(uniqueKeysWithValues: Self.countColumns.map { ($0, totals[$0] ?? 0) }),
            "sensors": sensors.map { device, report -> [String: Any] in
                ["device": device, "site": report.site, "blind_lanes": report.blindLanes, "degraded_lanes": report.degradedLanes,
                 "as_of": ReportQuery.text(report.timeS)]
            },
            "incarnations": incarnations.map { origin, firstSeenS -> [String: Any] in
                ["device": origin.device, "incarnation": origin.incarnation, "first_seen": ReportQuery.text(firstSeenS)]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A line per device id that more than one unit has used (replaced, or its flash wiped),
    /// for the table under the report: its counts are every unit's, summed.
    public var incarnationNotes: [String] {
        Dictionary(grouping: incarnations, by: \.origin.device).sorted { $0.key < $1.key }.compactMap { device, lives in
            guard lives.count > 1 else { return nil }
            let list = lives.map { "\($0.origin.incarnation) from \(ReportQuery.text($0.firstSeenS))" }.joined(separator: ", ")
            return "\(device) had \(lives.count) incarnations (a unit replaced or wiped; counts are summed over them): \(list)"
        }
    }

    /// A line per device whose latest health called a sensor blind or degraded, for the table
    /// under the report; empty when every sensor is well.
    public var sensorWarnings: [String] {
        sensors.compactMap { device, report in
            let parts = report.sensorConditions(includingSilent: false)
            guard !parts.isEmpty else { return nil }
            return "\(device) sensors \(parts.joined(separator: "; ")) (as of \(ReportQuery.text(report.timeS))): their counts are suspect"
        }
    }
}
