/// The collector's own counters, served at `GET /metrics` in Prometheus' text format.
public struct Metrics: Sendable {
    public var linesAccepted: Int64 = 0
    public var linesDuplicate: Int64 = 0
    public var linesRejected: Int64 = 0
    /// Device-protocol batches by answer: `ack`, `repeat` (stored before), or a nack reason.
    public var batches: [String: Int64] = [:]
    /// HTTP responses by status code.
    public var responses: [Int: Int64] = [:]
    public var connectionsOpen: Int64 = 0
    /// Bytes received from all connections and not yet handled (ServerOptions.bufferedBytesMax).
    public var bufferedBytes: Int64 = 0
    public var connectionsAccepted: Int64 = 0
    /// Connections refused at accept: over the connection limit.
    public var connectionsRefused: Int64 = 0
    /// Connections closed for breaking a limit, by limit.
    public var limitsBroken: [String: Int64] = [:]
    public var walBytes: Int64 = 0
    public var walSyncs: Int64 = 0
    /// What the log's scan found wrong when the collector started.
    public var walDamage = WriteAheadLog.Damage()
    public var relayLines: Int64 = 0
    /// Times the keys were replaced while serving (`serve` on SIGHUP).
    public var keyReloads: Int64 = 0
    public var relayFailures: Int64 = 0
    /// Each device's latest health line (`Ledger.health`).
    public var health: [String: DeviceHealth] = [:]
    /// When each device was last heard from (`Ledger.lastHeardNs`).
    public var lastHeardNs: [String: Int64] = [:]
    /// Incarnations given to devices that booted with blank flash.
    public var incarnationsGiven: Int64 = 0
    /// Each device incarnation seen, and when first (`Ledger.incarnations`).
    public var incarnations: [DeviceIncarnation: Int64] = [:]

    public init() {}

    /// The exposition; `nowNs` (ns since 1970) dates the devices' last-heard ages.
    public func prometheusText(nowNs: Int64) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int64)]) {
            out += "# HELP checkpoint_collector_\(name) \(help)\n# TYPE checkpoint_collector_\(name) \(type)\n"
            for sample in samples { out += "checkpoint_collector_\(name)\(sample.labels) \(sample.value)\n" }
        }
        metric("lines_accepted_total", "counter", "Lines stored.", [("", linesAccepted)])
        metric("lines_duplicate_total", "counter", "Lines of records stored before, dropped.", [("", linesDuplicate)])
        metric("lines_rejected_total", "counter", "Lines refused as malformed or not the writer's.", [("", linesRejected)])
        metric("batches_total", "counter", "Device-protocol batches by answer.",
            batches.sorted { $0.key < $1.key }.map { ("{answer=\"\($0.key)\"}", $0.value) })
        metric("http_responses_total", "counter", "HTTP responses by status code.",
            responses.sorted { $0.key < $1.key }.map { ("{code=\"\($0.key)\"}", $0.value) })
        metric("connections_open", "gauge", "Connections open now.", [("", connectionsOpen)])
        metric("buffered_bytes", "gauge", "Bytes received and not yet handled, over all connections.", [("", bufferedBytes)])
        metric("connections_accepted_total", "counter", "Connections accepted.", [("", connectionsAccepted)])
        metric("connections_refused_total", "counter", "Connections refused over the connection limit.", [("", connectionsRefused)])
        metric("limits_broken_total", "counter", "Connections closed for breaking a limit, by limit.",
            limitsBroken.sorted { $0.key < $1.key }.map { ("{limit=\"\($0.key)\"}", $0.value) })
        metric("wal_bytes", "gauge", "Bytes in the write-ahead log's segments.", [("", walBytes)])
        metric("wal_syncs_total", "counter", "fdatasync calls on the write-ahead log (group commits).", [("", walSyncs)])
        metric("wal_skipped_regions", "gauge",
            "Damaged stretches of the log skipped at start, intact records after each: acknowledged writes lost.",
            [("", Int64(walDamage.skippedRegions))])
        metric("wal_skipped_bytes", "gauge", "Bytes of those stretches.", [("", Int64(walDamage.skippedBytes))])
        metric("wal_tail_bytes", "gauge",
            "Bytes after the last intact record of a segment at start: a write cut short by a crash, or damage at the end.",
            [("", Int64(walDamage.tailBytes))])
        metric("key_reloads_total", "counter", "Times the keys file was reloaded while serving (SIGHUP).", [("", keyReloads)])
        metric("relay_lines_total", "counter", "Lines relayed and acknowledged by the relay target.", [("", relayLines)])
        metric("relay_failures_total", "counter", "Relay requests that failed and will be retried.", [("", relayFailures)])
        let devices = health.sorted { $0.key < $1.key }
        func label(_ device: String) -> String { "{device=\"\(Self.escape(device))\"}" }
        metric("device_silent_lanes", "gauge", "Lanes whose sensor gave no frame for 2 s, as the device last said, as a bit mask (bit n: lane n).",
            devices.map { (label($0.key), $0.value.silentLanes) })
        metric("device_blind_lanes", "gauge", "Lanes whose depth sensor the device last called blind, as its bit mask (bit n: lane n).",
            devices.map { (label($0.key), $0.value.blindLanes) })
        metric("device_degraded_lanes", "gauge", "Lanes whose depth sensor the device last called degraded, as its bit mask.",
            devices.map { (label($0.key), $0.value.degradedLanes) })
        metric("device_outbox_records", "gauge", "Records the device last said were waiting for an acknowledgement (its backlog).",
            devices.map { (label($0.key), $0.value.outboxRecords) })
        metric("device_faults", "gauge", "The device's fault counters since it booted, as it last sent them, by kind.",
            devices.flatMap { device, health in
                health.faults.map { ("{device=\"\(Self.escape(device))\",kind=\"\($0.kind)\"}", $0.count) }
            })
        metric("device_last_heard_seconds", "gauge", "Seconds since the collector last received a line from the device.",
            lastHeardNs.sorted { $0.key < $1.key }.map { (label($0.key), max(0, nowNs - $0.value) / 1_000_000_000) })
        metric("incarnations_given_total", "counter", "Incarnations given to devices that booted with blank flash.",
            [("", incarnationsGiven)])
        var lives: [String: (count: Int64, latest: Int64)] = [:]
        for origin in incarnations.keys {
            let known = lives[origin.device] ?? (0, 0)
            lives[origin.device] = (known.count + 1, max(known.latest, origin.incarnation))
        }
        let byDevice = lives.sorted { $0.key < $1.key }
        metric("device_incarnations", "gauge", "Incarnations seen of each device id: more than one is a unit replaced or wiped.",
            byDevice.map { (label($0.key), $0.value.count) })
        metric("device_incarnation", "gauge", "Each device id's newest incarnation.", byDevice.map { (label($0.key), $0.value.latest) })
        return out
    }

    /// A label value as Prometheus' text format writes it.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
