import CrossingCore
import CrossingDevice

/// What the export saw. Counters only grow while the device runs.
public struct ExportHealth: Equatable, Sendable {
    public var requests: UInt64 = 0
    public var recordsAcknowledged: UInt64 = 0
    /// Records the target refused with a 4xx: dropped and counted, never resent.
    public var recordsRefused: UInt64 = 0
    public var connectFailures: UInt64 = 0
    /// Connections that broke, or answered nothing, with a request under way.
    public var resets: UInt64 = 0
    /// 5xx answers and answers that were not HTTP: the request goes again later.
    public var serverErrors: UInt64 = 0
    public var lastStatus: UInt16 = 0
    /// The start of the body of the last 4xx answer, for the operator.
    public var lastRefusal = ShortText()

    public init() {}
}

/// Figures for the `device_health` line that rides with each request.
struct HealthFigures {
    var uptimeS: Int64 = 0
    var frames: Int64 = 0
    var busErrors: Int64 = 0
    var framesRejected: Int64 = 0
    var journalCommits: Int64 = 0
    var silentLanes: Int64 = 0
    var blindLanes: Int64 = 0
    var degradedLanes: Int64 = 0
}
