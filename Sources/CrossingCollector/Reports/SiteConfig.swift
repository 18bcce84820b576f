import Foundation

/// Per-site settings the reports need (docs/collector-api.md, "Sites"): which two counters
/// bracket the queue at a site, and how to turn vehicles into kilometres.
public struct SiteConfig: Sendable {
    /// One counter: a device, and one of its lanes or all of them.
    public struct Counter: Sendable, Equatable {
        public var device: String
        public var lane: String?

        /// Whether a count is this counter's: its device, and its lane when one is named.
        public func matches(_ key: CrossingKey) -> Bool {
            key.device == device && (lane == nil || key.lane == lane)
        }
    }

    /// The queue between an approach counter upstream and the gate counter.
    public struct Queue: Sendable {
        public var approach: Counter
        public var gate: Counter
        /// The direction the queue moves in.
        public var direction: String
        /// The classes that queue (vehicles: car and bus by default).
        public var classes: [String]
        /// Lanes the queue stands in, side by side.
        public var lanes: Int
        /// Road taken per queued vehicle, metres, gaps included.
        public var spacingM: Double
        /// Vehicles already queued when counting starts.
        public var initialVehicles: Double
    }

    public var queues: [String: Queue] = [:]

    public init(queues: [String: Queue] = [:]) { self.queues = queues }

    /// Every site that has counted in the ledger, or has a queue configured here, by name.
    public func siteNames(in ledger: Ledger) -> [String] {
        Set(ledger.totals.series.map(\.site)).union(queues.keys).sorted()
    }

    /// Reads a sites file; every error names the field and the reason.
    public static func load(path: String) throws(CollectorError) -> SiteConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw CollectorError("\(path): cannot read") }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws(CollectorError) -> SiteConfig {
        func fail(_ field: String, _ reason: String) -> CollectorError { CollectorError("\(path): \(field): \(reason)") }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw fail("(top level)", "not a JSON object")
        }
        try known(root, ["sites"], at: "", fail)
        guard let sites = root["sites"] as? [[String: Any]] else { throw fail("sites", "missing, or not a list of objects") }
        var config = SiteConfig()
        for (index, site) in sites.enumerated() {
            let at = "sites[\(index)]"
            try known(site, ["site", "queue"], at: at, fail)
            guard let name = site["site"] as? String, !name.isEmpty else { throw fail("\(at).site", "missing or empty") }
            guard let queue = site["queue"] as? [String: Any] else { continue }
            let q = "\(at).queue"
            try known(queue, ["approach", "gate", "direction", "classes", "lanes", "spacing_m", "initial_vehicles"], at: q, fail)
            func counter(_ field: String) throws(CollectorError) -> Counter {
                guard let object = queue[field] as? [String: Any] else { throw fail("\(q).\(field)", "missing, or not an object") }
                try known(object, ["device", "lane"], at: "\(q).\(field)", fail)
                guard let device = object["device"] as? String, !device.isEmpty else { throw fail("\(q).\(field).device", "missing or empty") }
                if object["lane"] != nil && !(object["lane"] is String) { throw fail("\(q).\(field).lane", "not a string") }
                return Counter(device: device, lane: object["lane"] as? String)
            }
            let direction = queue["direction"] as? String ?? "outbound"
            guard ["outbound", "inbound"].contains(direction) else { throw fail("\(q).direction", "must be outbound or inbound") }
            let classes = queue["classes"] as? [String] ?? ["car", "bus"]
            guard !classes.isEmpty, classes.allSatisfy({ ["pedestrian", "bicycle", "car", "bus"].contains($0) }) else {
                throw fail("\(q).classes", "must list some of pedestrian, bicycle, car, bus")
            }
            guard let lanes = queue["lanes"] as? Int, lanes >= 1, lanes <= 64 else { throw fail("\(q).lanes", "must be an integer 1-64") }
            guard let spacing = queue["spacing_m"] as? Double, spacing > 0, spacing <= 100 else {
                throw fail("\(q).spacing_m", "must be a number of metres above 0, at most 100")
            }
            let initial = queue["initial_vehicles"] as? Double ?? 0
            guard initial >= 0 else { throw fail("\(q).initial_vehicles", "must be 0 or more") }
            config.queues[name] = Queue(
                approach: try counter("approach"), gate: try counter("gate"), direction: direction, classes: classes, lanes: lanes,
                spacingM: spacing, initialVehicles: initial)
        }
        return config
    }

    private static func known(
        _ object: [String: Any], _ fields: Set<String>, at: String, _ fail: (String, String) -> CollectorError
    ) throws(CollectorError) {
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw fail(at.isEmpty ? unknown : "\(at).\(unknown)", "unknown field")
        }
    }
}
