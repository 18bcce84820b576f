/// A monotonic clock: microseconds since boot, never going back. Used only through generics.
public protocol Clock {
    mutating func nowUs() -> UInt64
}
