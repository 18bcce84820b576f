import Foundation

/// A report's bad parameter, named.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The interval a report sums over.
public enum ReportInterval: String, CaseIterable, Sendable {
    case minute, hour, day

    public var seconds: Int64 {
        switch self {
        case .minute: 60
        case .hour: 3600
        case .day: 86400
        }
    }
}

/// What a report's rows are broken down by, besides the interval.
public enum ReportGroup: String, CaseIterable, Sendable {
    case site, device, lane
}

/// Which totals a report shows: the same parameters on the command line (`--site`, `--from`,
/// `--to`, `--by`, `--group`) and in `GET /report?site=&from=&to=&by=&group=`.
public struct ReportQuery: Sendable {
    public var site: String?
    /// Inclusive start and exclusive end, seconds since 1970; nil for all the data.
    public var fromS: Int64?
    public var toS: Int64?
    public var by: ReportInterval = .hour
    public var group: ReportGroup = .site

    public init(site: String? = nil, fromS: Int64? = nil, toS: Int64? = nil, by: ReportInterval = .hour, group: ReportGroup = .site) {
        self.site = site
        self.fromS = fromS
        self.toS = toS
        self.by = by
        self.group = group
    }

    /// Reads the parameters by name; an unknown one or a bad value is an error naming it.
    public init(parameters: [String: String]) throws(ReportError) {
        let known: Set = ["site", "from", "to", "by", "group"]
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw ReportError("unknown parameter '\(unknown)' (known: by, from, group, site, to)")
        }
        site = parameters["site"]
        fromS = try parameters["from"].map { text throws(ReportError) in try Self.time(text, name: "from") }
        toS = try parameters["to"].map { text throws(ReportError) in try Self.time(text, name: "to") }
        if let text = parameters["by"] {
            guard let value = ReportInterval(rawValue: text) else { throw ReportError("by: '\(text)' is not minute, hour or day") }
            by = value
        }
        if let text = parameters["group"] {
            guard let value = ReportGroup(rawValue: text) else { throw ReportError("group: '\(text)' is not site, device or lane") }
            group = value
        }
        if let fromS, let toS, toS <= fromS { throw ReportError("to: must be after from") }
    }

    /// `2022-09-21T06:00:00Z`, `2022-09-21` (midnight UTC) or seconds since 1970.
    public static func time(_ text: String, name: String) throws(ReportError) -> Int64 {
        if let seconds = Int64(text) { return seconds }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        throw ReportError("\(name): '\(text)' is not a time (2022-09-21T06:00:00Z, 2022-09-21, or seconds since 1970)")
    }

    /// `2022-09-21T06:00:00Z`.
    public static func text(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
