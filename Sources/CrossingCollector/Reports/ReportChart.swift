import Foundation

/// A report drawn as an SVG chart a stranger can read: a title that says what and where,
/// crossings per interval by class (colour) and direction (solid outbound, dashed inbound),
/// then, for a site with a queue, the queue's length and the wait, each with its axis, unit
/// and legend. Times are UTC.
public struct ReportChart {
    let report: Report
    static let width = 1100.0
    static let left = 90.0
    static let right = 240.0
    static let panelHeight = 230.0
    static let panelGap = 70.0
    static let top = 80.0
    static let colours = ["pedestrian": "#1f77b4", "bicycle": "#2ca02c", "car": "#ff7f0e", "bus": "#d62728"]
    static let classNames = ["pedestrian": "pedestrians", "bicycle": "bicycles", "car": "cars", "bus": "buses and trucks"]

    public init(report: Report) { self.report = report }

    struct Series {
        var label: String
        var colour: String
        var dashed: Bool
        var points: [(x: Int64, y: Double)]
    }

    public func svg() -> String {
        let query = report.query
        var byInterval: [Int64: [String: Int64]] = [:]
        for row in report.rows {
            for (column, count) in row.counts { byInterval[row.intervalStartS, default: [:]][column, default: 0] += count }
        }
        let starts = byInterval.keys.sorted()
        let queue = report.queues.count == 1 ? report.queues.first!.value : nil
        var lowS = query.fromS ?? starts.first ?? 0
        var highS = query.toS ?? ((starts.last ?? 0) + query.by.seconds)
        if starts.isEmpty && query.fromS == nil { lowS = 0; highS = query.by.seconds }
        if highS <= lowS { highS = lowS + query.by.seconds }
        var crossings: [Series] = []
        for crossingClass in Report.classes {
            for direction in Report.directions {
                let column = "\(crossingClass)_\(direction)"
                guard report.totals[column, default: 0] > 0 else { continue }
                // Every interval in the range gets a point, zero where nothing crossed.
                let points = stride(from: lowS.dividedFlooring(by: query.by.seconds) * query.by.seconds, to: highS, by: Int(query.by.seconds))
                    .map { (x: $0 + query.by.seconds / 2, y: Double(byInterval[$0]?[column] ?? 0)) }
                crossings.append(Series(
                    label: "\(Self.classNames[crossingClass]!), \(direction)", colour: Self.colours[crossingClass]!,
                    dashed: direction == "inbound", points: points))
            }
        }
        var panels: [(title: String, unit: String, series: [Series])] = [
            ("Crossings per \(query.by.rawValue), by class and direction", "crossings per \(query.by.rawValue)", crossings)
        ]
        if let queue {
            let inRange = queue.points.filter { $0.timeS >= lowS && $0.timeS <= highS }
            let step = max(1, inRange.count / 1500)
            let sampled = stride(from: 0, to: inRange.count, by: step).map { inRange[$0] }
            panels.append(("Queue length, estimated from the approach and gate counters", "km",
                [Series(label: "queue length", colour: "#6a3d9a", dashed: false, points: sampled.map { ($0.timeS, $0.km) })]))
            panels.append(("Wait at the gate (Little's law: queue / last hour's throughput)", "hours",
                [Series(label: "estimated wait", colour: "#8c564b", dashed: false, points: sampled.compactMap { point in point.waitH.map { (point.timeS, $0) } })]))
        }
        let height = Self.top + Double(panels.count) * (Self.panelHeight + Self.panelGap) + 10
        let place = query.site ?? (Set(report.rows.map(\.site)).count == 1 ? report.rows[0].site : "all sites")
        // A title and a description first, so that a screen reader names the chart and says
        // what it shows, where it sits inline in a page.
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(height))" viewBox="0 0 \(Int(Self.width)) \(Int(height))" font-family="DejaVu Sans, Arial, sans-serif" role="img">
            <title>\(escape("Border crossings at \(place), \(Self.date(lowS)) to \(Self.date(highS)) UTC"))</title>
            <desc>\(escape(description(queue: queue, highS: highS)))</desc>
            <rect width="100%" height="100%" fill="white"/>

            """
        svg += text(Self.left, 32, "Border crossings at \(place)", size: 20, weight: "bold")
        svg += text(Self.left, 56, "\(Self.date(lowS)) to \(Self.date(highS)) UTC · counted by checkpoint-counter", size: 13, fill: "#444")
        for (index, panel) in panels.enumerated() {
            let y = Self.top + Double(index) * (Self.panelHeight + Self.panelGap) + 30
            svg += drawPanel(panel.title, unit: panel.unit, series: panel.series, top: y, lowS: lowS, highS: highS)
        }
        return svg + "</svg>\n"
    }

    /// The chart in a sentence: the crossings by class in the range, and the queue at its end.
    private func description(queue: QueueEstimate?, highS: Int64) -> String {
        let totals = report.totals
        let byClass = Report.classes.map { crossingClass in
            "\(Report.directions.reduce(0) { $0 + (totals["\(crossingClass)_\($1)"] ?? 0) }) \(Self.classNames[crossingClass]!)"
        }
        var sentence = "Crossings per \(report.query.by.rawValue) in both directions: \(byClass.joined(separator: ", ")) in all."
        if let point = queue?.at(highS) {
            sentence += " Queue at the end: \(Int(point.vehicles.rounded())) vehicles, \(String(format: "%.1f", point.km)) km"
            sentence += point.waitH.map { String(format: ", a wait of %.1f hours.", $0) } ?? "."
        }
        return sentence
    }

    private func drawPanel(_ title: String, unit: String, series: [Series], top: Double, lowS: Int64, highS: Int64) -> String {
        let plotWidth = Self.width - Self.left - Self.right
        let height = Self.panelHeight
        var out = text(Self.left, top - 10, title, size: 15, weight: "bold")
        let maxY = series.flatMap { $0.points.map(\.y) }.max() ?? 0
        let ticks = Self.niceTicks(maxY)
        let topY = ticks.last ?? 1
        func x(_ seconds: Int64) -> Double { Self.left + plotWidth * Double(seconds - lowS) / Double(highS - lowS) }
        func y(_ value: Double) -> Double { top + height - height * value / topY }
        out += "<rect x=\"\(f(Self.left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(height))\" fill=\"none\" stroke=\"#999\"/>\n"
        for tick in ticks {
            out += "<line x1=\"\(f(Self.left))\" x2=\"\(f(Self.left + plotWidth))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#e5e5e5\"/>\n"
            out += text(Self.left - 8, y(tick) + 4, Self.number(tick), size: 12, anchor: "end")
        }
        for tick in Self.timeTicks(lowS, highS) {
            out += "<line x1=\"\(f(x(tick)))\" x2=\"\(f(x(tick)))\" y1=\"\(f(top))\" y2=\"\(f(top + height))\" stroke=\"#eeeeee\"/>\n"
            out += text(x(tick), top + height + 18, Self.tickLabel(tick, span: highS - lowS), size: 12, anchor: "middle")
        }
        out += text(Self.left + plotWidth / 2, top + height + 38, "time (UTC)", size: 12, anchor: "middle", fill: "#444")
        out += "<text transform=\"translate(\(f(Self.left - 62)),\(f(top + height / 2))) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#444\">\(escape(unit))</text>\n"
        if series.allSatisfy({ $0.points.isEmpty }) {
            out += text(Self.left + plotWidth / 2, top + height / 2, "no data in this range", size: 14, anchor: "middle", fill: "#888")
        }
        for (index, line) in series.enumerated() where !line.points.isEmpty {
            let path = line.points.map { "\(f(x($0.x))),\(f(y($0.y)))" }.joined(separator: " ")
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2\"\(dash)/>\n"
            let legendY = top + 14 + Double(index) * 20
            let legendX = Self.left + plotWidth + 14
            out += "<line x1=\"\(f(legendX))\" x2=\"\(f(legendX + 26))\" y1=\"\(f(legendY - 4))\" y2=\"\(f(legendY - 4))\" stroke=\"\(line.colour)\" stroke-width=\"2\"\(dash)/>\n"
            out += text(legendX + 32, legendY, line.label, size: 12)
        }
        return out
    }

    private func text(
        _ x: Double, _ y: Double, _ content: String, size: Int, anchor: String = "start", weight: String = "normal", fill: String = "#111"
    ) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escape(content))</text>\n"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// 0 and four or five round steps up to at least `maximum`.
    static func niceTicks(_ maximum: Double) -> [Double] {
        guard maximum > 0 else { return [0, 1] }
        let rough = maximum / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        return stride(from: 0.0, through: ceil(maximum / step) * step + step / 2, by: step).map { $0 }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(format: "%.1f", value)
    }

    /// Round times across the range: hours, six hours, days, as the span needs.
    static func timeTicks(_ low: Int64, _ high: Int64) -> [Int64] {
        let span = high - low
        let steps: [Int64] = [60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 172_800, 604_800]
        let step = steps.first { span / $0 <= 8 } ?? 1_209_600
        let first = (low + step - 1).dividedFlooring(by: step) * step
        return Array(stride(from: first, through: high, by: Int(step)))
    }

    static func tickLabel(_ seconds: Int64, span: Int64) -> String {
        utc(seconds, span > 2 * 86400 ? "d MMM" : (span > 86400 ? "d MMM HH:mm" : "HH:mm"))
    }

    static func date(_ seconds: Int64) -> String { utc(seconds, "d MMM yyyy HH:mm") }

    /// `seconds` since 1970 in UTC, in a DateFormatter `format`.
    static func utc(_ seconds: Int64, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = format
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
