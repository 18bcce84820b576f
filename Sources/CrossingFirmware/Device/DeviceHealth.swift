import CrossingCore
import CrossingDevice

/// Why a device did not boot.
public enum BootError: Error, Equatable {
    /// The config record is missing, damaged or out of range.
    case config(RecordError)
    case journal(JournalError)
    case flash(FlashError)
}

/// What the device itself saw. Counters only grow while it runs; a reboot starts them again.
public struct DeviceHealth: Equatable, Sendable {
    /// Frames a lane refused (a driver bug if ever non-zero).
    public var framesRejected: UInt64 = 0
    /// Snapshots committed to the journal since boot.
    public var commits: UInt64 = 0
    /// Lanes whose totals boot found in the journal.
    public var lanesRestored = 0
    /// Bit `lane` set: no frame from that lane's sensor for `CountingDevice.silentAfterUs`.
    public var silentLanes: UInt8 = 0
    /// Bit `lane` set: the lane's depth sensor is blind (`SensorCondition.blind`): over half its
    /// readings had no distance in the last minute. The lane counts on; its counts are suspect.
    public var blindLanes: UInt8 = 0
    /// Bit `lane` set: the lane's depth sensor is degraded (a fifth to a half without a distance).
    public var degradedLanes: UInt8 = 0
    /// Ticks since boot.
    public var ticks: UInt64 = 0

    public init() {}
}
