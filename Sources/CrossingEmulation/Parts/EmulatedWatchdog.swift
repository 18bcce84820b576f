import CrossingDevice

/// A watchdog the host drives with its clock: the firmware kicks it, and the host asks at
/// each step whether it has gone unkicked for longer than its timeout, which is a reset.
public struct EmulatedWatchdog: Watchdog {
    public let timeoutUs: UInt64
    public private(set) var kicks = 0
    private var kicksSeen = 0
    private var lastKickUs: UInt64 = 0

    public init(timeoutMs: UInt32) {
        timeoutUs = UInt64(timeoutMs) * 1000
    }

    public mutating func kick() {
        kicks += 1
    }

    /// Whether the watchdog fires at `nowUs`: no kick since more than the timeout ago.
    public mutating func fires(atUs nowUs: UInt64) -> Bool {
        if kicks != kicksSeen {
            kicksSeen = kicks
            lastKickUs = nowUs
        }
        return nowUs > lastKickUs + timeoutUs
    }
}
