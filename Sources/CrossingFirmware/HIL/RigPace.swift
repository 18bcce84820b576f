import CrossingCore
import CrossingDevice

/// The pace of a device on a rig (the emulator, a HIL run): the rig latches each frame, moves
/// the clock to its time and turns the main loop, so a simulated day runs as fast as the host
/// can go and always the same way.
extension CountingDevice where Time == VirtualClock, NetworkLink: ClockedLink {
    /// After the turn that meets a frame the loop turns again this much later: soon enough to
    /// read a frame whose first read failed before the sensor replaces it.
    public static var secondTurnUs: UInt64 { 1_000 }

    /// A sensor latched a frame at `timeUs`: the main loop turns then, and again
    /// `secondTurnUs` later (at the end of time, when a recording says so: a frame file's
    /// timestamps are whatever its bytes hold, and the rig must not trap on them; Tools/fuzz
    /// frame-file found it).
    public mutating func turn(atUs timeUs: UInt64) throws(FlashError) {
        try idle(atUs: timeUs)
        let (later, overflow) = clock.us.addingReportingOverflow(Self.secondTurnUs)
        try idle(atUs: overflow ? UInt64.max : later)
    }

    /// One turn of the main loop at `nowUs`, or at the clock's time if that is later; the link
    /// is told the time first.
    public mutating func idle(atUs nowUs: UInt64) throws(FlashError) {
        clock.us = max(clock.us, nowUs)
        link.setBoardTime(us: clock.us)
        try tick()
    }
}
