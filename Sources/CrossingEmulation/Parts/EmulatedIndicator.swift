import CrossingDevice

/// The status LED, remembering what it shows and how often that changed.
public struct EmulatedIndicator: Indicator {
    public private(set) var pattern = IndicatorPattern.off
    public private(set) var changes = 0

    public init() {}

    public mutating func show(_ pattern: IndicatorPattern) {
        self.pattern = pattern
        changes += 1
    }
}
