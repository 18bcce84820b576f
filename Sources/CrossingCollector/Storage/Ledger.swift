/// What a crossing total is kept under: the `crossings` line's tags and the minute it counts in.
public struct CrossingKey: Hashable, Sendable {
    public var site: String
    public var device: String
    public var lane: String
    public var crossingClass: String
    public var direction: String
    /// Start of the minute, seconds since 1970 (UTC).
    public var minuteS: Int64

    public init(site: String, device: String, lane: String, crossingClass: String, direction: String, minuteS: Int64) {
        self.site = site
        self.device = device
        self.lane = lane
        self.crossingClass = crossingClass
        self.direction = direction
        self.minuteS = minuteS
    }
}

/// One life of a device id (docs/device-protocol.md, "Incarnations"): a unit that boots with
/// blank flash numbers its records from 1 again, under a new incarnation. Records are known by
/// (device, incarnation, seq); incarnation 0 is a device from before incarnations.
public struct DeviceIncarnation: Hashable, Sendable, Comparable {
    public var device: String
    public var incarnation: Int64

    public init(device: String, incarnation: Int64) {
        self.device = device
        self.incarnation = incarnation
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.device, lhs.incarnation) < (rhs.device, rhs.incarnation) }
}

/// The collector's state, rebuilt from the snapshot and the write-ahead log at startup: the
/// crossing totals per minute, and the record numbers stored from each device incarnation,
/// which make a resent record change nothing.
public struct Ledger: Sendable {
    /// The measurement of the event the collector logs when it gives a device an incarnation.
    public static let incarnationEvent: StaticString = "device_incarnation"

    public internal(set) var totals = CrossingTotals()
    /// The record numbers stored from each device incarnation.
    public var storedSeqs: [DeviceIncarnation: SeqRanges] {
        originNumbers.reduce(into: [:]) { $0[$1.key] = originSeqs[$1.value] }
    }
    /// Each incarnation's place in `originSeqs`: a series keeps its origin's place, so that a
    /// line's dedup check and mark hash nothing.
    private var originNumbers: [DeviceIncarnation: Int] = [:]
    private var originSeqs: [SeqRanges] = []
    /// Every incarnation seen, given or in a record, and when first: ns since 1970.
    public internal(set) var incarnations: [DeviceIncarnation: Int64] = [:]
    /// Points stored, of any measurement.
    public internal(set) var points: Int64 = 0
    /// Per device, its latest `device_health` line (by its time): sensor conditions, outbox
    /// backlog and fault counters. Kept in snapshots since CPSNAP4.
    public internal(set) var health: [String: DeviceHealth] = [:]
    /// Per device (its `device` tag), when the collector last received a line from it, ns since
    /// 1970. Kept in snapshots like `health`.
    public internal(set) var lastHeardNs: [String: Int64] = [:]

    public init() {}

    /// The series seen, by their keys' bytes: derived, never stored.
    var seriesIndex = SeriesIndex()

    /// What the ledger takes from one point, read while its line is at hand.
    struct Point {
        /// The point's series, an entry of `seriesIndex`.
        var series: Int
        var seq: Int64?
        var count: Int64?
        /// The line's time, or its arrival time when it has none, ns since 1970.
        var timeNs: Int64
        /// A `device_incarnation` event's `incarnation` field.
        var incarnation: Int64?
        /// A `device_health` line's numbers, in `DeviceHealth.stored` order: plain numbers, so
        /// that a body's points are copied and dropped without reference counting.
        var health: InlineArray<10, Int64>?
    }

    /// Reads `view` (a line of `body` that arrived at `receivedNs`), learning its series on
    /// first sight.
    mutating func point(_ view: PointView, in body: UnsafeBufferPointer<UInt8>, receivedNs: Int64) -> Point {
        let series = seriesIndex.entry(for: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: body[view.seriesKey]))) { Self.facts(of: view, in: body) }
        let state = seriesIndex.states[series]
        var point = Point(series: series, timeNs: view.timestampNs ?? receivedNs)
        point.seq = view.intField("seq", in: body)
        if state.countsCrossings { point.count = view.intField("count", in: body) }
        guard state.hasDevice else { return point }
        switch state.measurement {
        case .incarnationEvent:
            point.incarnation = view.intField("incarnation", in: body)
        case .health:
            var numbers = InlineArray<10, Int64>(repeating: 0)
            numbers[0] = point.timeNs
            for (offset, name) in DeviceHealth.fieldNames.enumerated() { numbers[offset + 1] = view.intField(name, in: body) ?? 0 }
            point.health = numbers
        case .crossings, .other:
            break
        }
        return point
    }

    /// What the ledger needs of a series: its measurement, its device incarnation (the
    /// `device` and `incarnation` tags; no incarnation tag: 0, one that is not a number: no
    /// records), and for `crossings` the five tags it is totalled under.
    static func facts(of view: PointView, in body: UnsafeBufferPointer<UInt8>) -> SeriesFacts {
        func tag(_ name: StaticString) -> String? { view.tag(name, in: body)?.text(in: body) }
        let measurement: SeriesFacts.Measurement =
            view.measurement.reads("crossings", in: body) ? .crossings
            : view.measurement.reads("device_health", in: body) ? .health
            : view.measurement.reads(Self.incarnationEvent, in: body) ? .incarnationEvent : .other
        let device = tag("device")
        var facts = SeriesFacts(measurement: measurement, device: device, site: tag("site"))
        if let device, let incarnation = tag("incarnation").map({ Int64($0) }) ?? 0 {
            facts.origin = DeviceIncarnation(device: device, incarnation: incarnation)
        }
        if measurement == .crossings, let site = facts.site, let device, let lane = tag("lane"), let crossingClass = tag("class"),
            let direction = tag("direction")
        {
            facts.crossing = CrossingTotals.Series(site: site, device: device, lane: lane, crossingClass: crossingClass, direction: direction)
        }
        return facts
    }

    /// The `device` tag of `point`'s series.
    func device(of point: Point) -> String? {
        seriesIndex.states[point.series].hasDevice ? seriesIndex.facts[point.series].device : nil
    }

    /// The record numbers stored from `origin`, if any.
    public func storedSeqs(of origin: DeviceIncarnation) -> SeqRanges? {
        originNumbers[origin].map { originSeqs[$0] }
    }

    /// Marks `seqs` stored from `origin`, as a snapshot read back says.
    mutating func store(_ seqs: SeqRanges, of origin: DeviceIncarnation) {
        let number = originNumber(origin)
        for range in seqs.ranges { originSeqs[number].insert(range) }
    }

    /// The place of `origin`'s record numbers, made now if it has none.
    private mutating func originNumber(_ origin: DeviceIncarnation) -> Int {
        if let number = originNumbers[origin] { return number }
        originNumbers[origin] = originSeqs.count
        originSeqs.append(SeqRanges())
        return originSeqs.count - 1
    }

    /// Whether the point's record is stored already.
    mutating func isStored(_ point: Point) -> Bool {
        let state = seriesIndex.states[point.series]
        guard state.hasOrigin, let seq = point.seq else { return false }
        if let number = state.originNumber { return originSeqs[number].contains(seq) }
        // Looked up, not made: a line refused after this check must leave no trace.
        guard let number = originNumbers[seriesIndex.facts[point.series].origin!] else { return false }
        seriesIndex.states[point.series].originNumber = number
        return originSeqs[number].contains(seq)
    }

    /// The highest incarnation `device` has had, 0 when none.
    public func highestIncarnation(of device: String) -> Int64 {
        incarnations.keys.reduce(0) { $1.device == device ? max($0, $1.incarnation) : $0 }
    }

    /// Counts a stored point: a `crossings` point adds its `count` to its minute; any point
    /// with a device and seq marks that record stored. A point without a timestamp counts at
    /// `receivedNs`, as InfluxDB stamps it with the time it arrived.
    mutating func apply(_ point: Point, receivedNs: Int64) {
        points += 1
        let state = seriesIndex.states[point.series]
        if state.hasOrigin, let seq = point.seq {
            let number = state.originNumber ?? originNumber(seriesIndex.facts[point.series].origin!)
            if state.originNumber == nil { seriesIndex.states[point.series].originNumber = number }
            originSeqs[number].insert(seq)
            if point.timeNs < state.originSeenAtMostNs {
                noteIncarnation(seriesIndex.facts[point.series].origin!, timeNs: point.timeNs)
                seriesIndex.states[point.series].originSeenAtMostNs = point.timeNs
            }
        }
        if state.hasDevice && (state.heardAtLeastNs < receivedNs || point.incarnation != nil || point.health != nil),
            let device = seriesIndex.facts[point.series].device
        {
            if state.heardAtLeastNs < receivedNs {
                if lastHeardNs[device, default: .min] < receivedNs { lastHeardNs[device] = receivedNs }
                seriesIndex.states[point.series].heardAtLeastNs = receivedNs
            }
            if let incarnation = point.incarnation {
                noteIncarnation(DeviceIncarnation(device: device, incarnation: incarnation), timeNs: point.timeNs)
            }
            if let numbers = point.health, (health[device]?.timeNs ?? .min) <= numbers[0] {
                health[device] = DeviceHealth(site: seriesIndex.facts[point.series].site ?? "") { numbers[$0] }
            }
        }
        guard state.countsCrossings, let count = point.count else { return }
        let number = state.crossingNumber ?? totals.number(of: seriesIndex.facts[point.series].crossing!)
        if state.crossingNumber == nil { seriesIndex.states[point.series].crossingNumber = number }
        let seconds = point.timeNs.dividedFlooring(by: 1_000_000_000)
        totals.add(count, series: number, minuteS: seconds.dividedFlooring(by: 60) * 60, receivedS: receivedNs.dividedFlooring(by: 1_000_000_000))
    }

    /// Counts every good line of `body`, as the log's replay does: for a ledger built from
    /// lines at hand (tools, tests). The bad lines are skipped.
    public mutating func apply(_ body: [UInt8], precision: Precision = .ns, receivedNs: Int64) {
        seriesIndex.bound()
        var scanner = LineScanner(precision: precision)
        body.withUnsafeBufferPointer { buffer in
            scanner.scan(buffer) { _, _, result in
                guard case .success(let view) = result else { return }
                apply(point(view, in: buffer, receivedNs: receivedNs), receivedNs: receivedNs)
            }
        }
    }

    mutating func noteIncarnation(_ origin: DeviceIncarnation, timeNs: Int64) {
        if let known = incarnations[origin], known <= timeNs { return }
        incarnations[origin] = timeNs
    }
}

/// What a device last said of itself in its `device_health` line (docs/line-protocol.md).
public struct DeviceHealth: Sendable, Equatable {
    /// The device's `site` tag.
    public var site: String
    /// The line's time, ns since 1970.
    public var timeNs: Int64
    public var uptimeS: Int64
    /// Bit masks, bit n for lane n: no frame for 2 s; most zone readings invalid; many invalid.
    public var silentLanes: Int64
    public var blindLanes: Int64
    public var degradedLanes: Int64
    /// Records waiting for the collector's acknowledgement.
    public var outboxRecords: Int64
    public var busErrors: Int64
    public var framesRejected: Int64
    public var recordsRefused: Int64
    public var exportFailures: Int64

    /// The fault counters by their line-protocol field names, for tables and gauges.
    public var faults: [(kind: String, count: Int64)] {
        [("bus_errors", busErrors), ("frames_rejected", framesRejected), ("records_refused", recordsRefused),
         ("export_failures", exportFailures)]
    }

    /// The line's time in whole seconds since 1970.
    public var timeS: Int64 { timeNs.dividedFlooring(by: 1_000_000_000) }

    /// The lanes the line calls silent (when asked for), blind or degraded, each kind as
    /// `blind: lanes 0, 2`; empty when every sensor is well.
    public func sensorConditions(includingSilent: Bool) -> [String] {
        func lanes(_ mask: Int64) -> String { (0..<8).filter { mask & (1 << $0) != 0 }.map(String.init).joined(separator: ", ") }
        let kinds = (includingSilent ? [("silent", silentLanes)] : []) + [("blind", blindLanes), ("degraded", degradedLanes)]
        return kinds.filter { $0.1 != 0 }.map { "\($0.0): lanes \(lanes($0.1))" }
    }

    /// The numbers as a snapshot stores them, in this order.
    var stored: [Int64] {
        [timeNs, uptimeS, silentLanes, blindLanes, degradedLanes, outboxRecords, busErrors, framesRejected, recordsRefused, exportFailures]
    }

    static let storedCount = 10

    /// The `device_health` fields of the numbers after `timeNs`, in `stored` order.
    static let fieldNames: [StaticString] = [
        "uptime_s", "silent_lanes", "blind_lanes", "degraded_lanes", "outbox_records", "bus_errors", "frames_rejected",
        "records_refused", "export_failures",
    ]
}

// In an extension, so that the memberwise initializer stays.
extension DeviceHealth {
    /// The report whose numbers, in `stored` order, are `number(0)`, `number(1)`, ...
    init(site: String, number: (Int) -> Int64) {
        self.init(
            site: site, timeNs: number(0), uptimeS: number(1), silentLanes: number(2), blindLanes: number(3), degradedLanes: number(4),
            outboxRecords: number(5), busErrors: number(6), framesRejected: number(7), recordsRefused: number(8),
            exportFailures: number(9))
    }

    init(site: String, stored: [Int64]) {
        precondition(stored.count == Self.storedCount, "a health record holds \(Self.storedCount) numbers")
        self.init(site: site) { stored[$0] }
    }
}

extension Int64 {
    /// Division rounding toward minus infinity, so that times before 1970 fall in their minute.
    func dividedFlooring(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
