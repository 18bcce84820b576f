/// A clock the host sets: the emulator moves it to each frame's time, so a simulated day
/// runs as fast as the host can go and always the same way.
public struct VirtualClock: Clock {
    public var us: UInt64

    public init(us: UInt64 = 0) {
        self.us = us
    }

    public mutating func nowUs() -> UInt64 { us }
}
