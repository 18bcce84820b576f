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
    public static let incarnationEvent = "device_incarnation"

    public internal(set) var totals = CrossingTotals()
    public internal(set) var storedSeqs: [DeviceIncarnation: SeqRanges] = [:]
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

    /// The device incarnation and record number a point belongs to: its `device` and
    /// `incarnation` tags (none: 0) and integer `seq` field. A point whose incarnation is not a
    /// number belongs to no record.
    static func record(of point: ParsedPoint) -> (origin: DeviceIncarnation, seq: Int64)? {
        guard let device = point.tags.first(where: { $0.key == "device" })?.value,
            case .int(let seq)? = point.fields.first(where: { $0.key == "seq" })?.value
        else { return nil }
        let tag = point.tags.first { $0.key == "incarnation" }?.value
        guard let incarnation = tag.map({ Int64($0) }) ?? 0 else { return nil }
        return (DeviceIncarnation(device: device, incarnation: incarnation), seq)
    }

    /// Whether the point's record is stored already.
    public func isStored(_ point: ParsedPoint) -> Bool {
        guard let record = Self.record(of: point) else { return false }
        return storedSeqs[record.origin]?.contains(record.seq) ?? false
    }

    /// The highest incarnation `device` has had, 0 when none.
    public func highestIncarnation(of device: String) -> Int64 {
        incarnations.keys.reduce(0) { $1.device == device ? max($0, $1.incarnation) : $0 }
    }

    /// Counts a stored point: a `crossings` point adds its `count` to its minute; any point
    /// with a device and seq marks that record stored. `receivedNs` stamps a point that has
    /// no timestamp, as InfluxDB stamps it with the time it arrived.
    public mutating func apply(_ point: ParsedPoint, receivedNs: Int64) {
        points += 1
        let timeNs = point.timestampNs ?? receivedNs
        if let record = Self.record(of: point) {
            storedSeqs[record.origin, default: SeqRanges()].insert(record.seq)
            noteIncarnation(record.origin, timeNs: timeNs)
        }
        if let device = point.tags.first(where: { $0.key == "device" })?.value {
            if lastHeardNs[device, default: .min] < receivedNs { lastHeardNs[device] = receivedNs }
            if point.measurement == Self.incarnationEvent,
                case .int(let incarnation)? = point.fields.first(where: { $0.key == "incarnation" })?.value
            {
                noteIncarnation(DeviceIncarnation(device: device, incarnation: incarnation), timeNs: timeNs)
            }
            if point.measurement == "device_health" { noteHealth(point, device: device, receivedNs: receivedNs) }
        }
        guard point.measurement == "crossings", let key = Self.key(of: point, receivedNs: receivedNs),
            case .int(let count)? = point.fields.first(where: { $0.key == "count" })?.value
        else { return }
        totals.add(count, to: key, receivedS: receivedNs.dividedFlooring(by: 1_000_000_000))
    }

    mutating func noteIncarnation(_ origin: DeviceIncarnation, timeNs: Int64) {
        if let known = incarnations[origin], known <= timeNs { return }
        incarnations[origin] = timeNs
    }

    /// Keeps a `device_health` line when it is the device's latest.
    mutating func noteHealth(_ point: ParsedPoint, device: String, receivedNs: Int64) {
        func field(_ name: String) -> Int64 {
            if case .int(let value)? = point.fields.first(where: { $0.key == name })?.value { return value }
            return 0
        }
        let report = DeviceHealth(
            site: point.tags.first(where: { $0.key == "site" })?.value ?? "", timeNs: point.timestampNs ?? receivedNs,
            uptimeS: field("uptime_s"), silentLanes: field("silent_lanes"), blindLanes: field("blind_lanes"),
            degradedLanes: field("degraded_lanes"), outboxRecords: field("outbox_records"), busErrors: field("bus_errors"),
            framesRejected: field("frames_rejected"), recordsRefused: field("records_refused"), exportFailures: field("export_failures"))
        if let known = health[device], known.timeNs > report.timeNs { return }
        health[device] = report
    }

    static func key(of point: ParsedPoint, receivedNs: Int64) -> CrossingKey? {
        func tag(_ name: String) -> String? { point.tags.first { $0.key == name }?.value }
        guard let site = tag("site"), let device = tag("device"), let lane = tag("lane"), let crossingClass = tag("class"),
            let direction = tag("direction")
        else { return nil }
        let seconds = (point.timestampNs ?? receivedNs).dividedFlooring(by: 1_000_000_000)
        return CrossingKey(
            site: site, device: device, lane: lane, crossingClass: crossingClass, direction: direction,
            minuteS: seconds.dividedFlooring(by: 60) * 60)
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
}

// In an extension, so that the memberwise initializer stays.
extension DeviceHealth {
    init(site: String, stored: [Int64]) {
        precondition(stored.count == Self.storedCount, "a health record holds \(Self.storedCount) numbers")
        self.init(
            site: site, timeNs: stored[0], uptimeS: stored[1], silentLanes: stored[2], blindLanes: stored[3], degradedLanes: stored[4],
            outboxRecords: stored[5], busErrors: stored[6], framesRejected: stored[7], recordsRefused: stored[8], exportFailures: stored[9])
    }
}

extension Int64 {
    /// Division rounding toward minus infinity, so that times before 1970 fall in their minute.
    func dividedFlooring(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
