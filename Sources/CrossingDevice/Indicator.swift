/// What the status LED shows, so that someone at the pole can tell a working counter from a
/// sick one without a laptop.
public enum IndicatorPattern: UInt8, Equatable, Sendable {
    /// Booting, or no power to spare.
    case off = 0
    /// Counting, every sensor answering.
    case counting = 1
    /// Counting, but a sensor or the flash is failing: see health.
    case fault = 2
}

/// The status LED. Used only through generics.
public protocol Indicator {
    /// Shows `pattern` until told otherwise; the driver does any blinking itself.
    mutating func show(_ pattern: IndicatorPattern)
}
