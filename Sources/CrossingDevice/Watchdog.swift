/// A watchdog: unless kicked within its timeout, it resets the device. Used only through
/// generics.
public protocol Watchdog {
    mutating func kick()
}
