import CrossingCore

/// The lines the device exports (docs/line-protocol.md), written from what a Grafana user
/// asks: how many crossed, which way, by what means (`crossings`); was the lane watched at all
/// in that interval (`coverage`); is the device well (`device_health`).
enum ExportLines {
    static let classes: InlineArray<4, CrossingClass> = [.pedestrian, .bicycle, .car, .bus]
    static let directions: InlineArray<3, Direction> = [.outbound, .inbound, .unknown]

    /// A record's lines: a `crossings` line per class and direction that counted anything,
    /// then its `coverage` line, tagged with the device's `incarnation` (none for 0, a journal
    /// from before incarnations), so that a replaced unit's points never overwrite the old
    /// one's. Throws (and leaves `buffer` as it was) when they do not all fit. `config` is
    /// `inout` only to be read in place; it is not written.
    static func write<let capacity: Int>(
        _ record: OutboxRecord, incarnation: UInt32, config: inout DeviceConfig, into buffer: inout LineBuffer<capacity>
    ) throws(LineError) {
        guard let timestampNs = record.wallStartNs else { return }
        let lane = config.lane(Int(record.lane)).name
        let start = buffer.committedCount
        do throws(LineError) {
            for c in 0..<4 {
                for d in 0..<3 {
                    let count = record.bin.counts[c * 3 + d]
                    guard count > 0 else { continue }
                    buffer.begin("crossings")
                    buffer.tag("site", config.site)
                    buffer.tag("device", config.device)
                    if incarnation != 0 { buffer.tag("incarnation", decimal: Int64(incarnation)) }
                    buffer.tag("lane", lane)
                    buffer.tag("class", classes[c].name)
                    buffer.tag("direction", directions[d].name)
                    buffer.field("count", Int64(count))
                    buffer.field("seq", Int64(record.seq))
                    try buffer.end(timestampNs: timestampNs)
                }
            }
            buffer.begin("coverage")
            buffer.tag("site", config.site)
            buffer.tag("device", config.device)
            if incarnation != 0 { buffer.tag("incarnation", decimal: Int64(incarnation)) }
            buffer.tag("lane", lane)
            buffer.field("frames", Int64(record.bin.frames))
            buffer.field("interval_s", Int64(record.bin.intervalMs / 1000))
            buffer.field("bins", Int64(record.binsMerged))
            buffer.field("seq", Int64(record.seq))
            try buffer.end(timestampNs: timestampNs)
        } catch {
            buffer.truncate(to: start)
            throw error
        }
    }
}
