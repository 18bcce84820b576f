/// The queue at a site from its two counters, minute by minute.
///
/// Vehicles in queue follow `q(t) = max(0, q(t-1) + entries(t) - exits(t))`, starting from
/// the configured `initial_vehicles`. The `max` is the drift correction: two counters that
/// each miss or add a vehicle now and then drift apart without bound, but a queue is never
/// below empty, so the estimate re-zeroes whenever the difference would go negative. What
/// it cannot correct is drift upward while a queue stands (an approach counter that
/// over-counts by 1 % adds one vehicle per hundred): the error is at most the counters'
/// difference in accuracy times the vehicles counted since the queue last emptied.
///
/// The wait is Little's law, `W = L / throughput`, with the throughput the gate's exits over
/// the last hour; the length is `vehicles x spacing / lanes`.
public struct QueueEstimate: Sendable {
    public struct Point: Sendable, Equatable {
        /// The end of the minute this holds at, seconds since 1970.
        public var timeS: Int64
        public var vehicles: Double
        public var km: Double
        /// Hours; nil when nothing left the gate in the last hour.
        public var waitH: Double?
    }

    /// A point per minute, from the first minute either counter counted to the last.
    public private(set) var points: [Point] = []

    public init(ledger: Ledger, site: String, queue: SiteConfig.Queue) {
        var entries: [Int64: Int64] = [:]
        var exits: [Int64: Int64] = [:]
        for (key, count) in ledger.totals where key.site == site && key.direction == queue.direction && queue.classes.contains(key.crossingClass) {
            if queue.approach.matches(key) { entries[key.minuteS, default: 0] += count }
            if queue.gate.matches(key) { exits[key.minuteS, default: 0] += count }
        }
        let minutes = Array(entries.keys) + Array(exits.keys)
        guard let first = minutes.min(), let last = minutes.max() else { return }
        var vehicles = queue.initialVehicles
        var lastHour: [Int64] = Array(repeating: 0, count: 60)
        var lastHourTotal: Int64 = 0
        points.reserveCapacity(Int((last - first) / 60 + 1))
        for minute in stride(from: first, through: last, by: 60) {
            let out = exits[minute] ?? 0
            vehicles = max(0, vehicles + Double(entries[minute] ?? 0) - Double(out))
            let slot = Int(((minute / 60) % 60 + 60) % 60)
            lastHourTotal += out - lastHour[slot]
            lastHour[slot] = out
            points.append(Point(
                timeS: minute + 60, vehicles: vehicles, km: vehicles * queue.spacingM / Double(queue.lanes) / 1000,
                waitH: lastHourTotal > 0 ? vehicles / Double(lastHourTotal) : nil))
        }
    }

    /// The estimate as of `timeS`: the last point at or before it.
    public func at(_ timeS: Int64) -> Point? {
        var low = 0
        var high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].timeS <= timeS { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? points[low - 1] : nil
    }
}
