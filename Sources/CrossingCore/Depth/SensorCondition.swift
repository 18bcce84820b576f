/// Whether a depth lane's sensor sees its lane, judged from the share of zone readings that
/// came back without a usable distance (invalid or saturated) over a minute of frames. A sensor
/// that sees no floor, blinded by sunlight or a dirty window, or mounted beyond its range still
/// delivers frames; without this it would look as if it were counting an empty lane.
public enum SensorCondition: UInt8, Sendable {
    /// Under a fifth of the readings unusable.
    case ok = 0
    /// A fifth to a half unusable: the lane counts, with parts of the view blind.
    case degraded = 1
    /// More than half unusable: the counts of this minute cannot be trusted.
    case blind = 2

    /// The word the health line and the reports use.
    public var name: StaticString {
        switch self {
        case .ok: "ok"
        case .degraded: "degraded"
        case .blind: "blind"
        }
    }
}

/// The minute of frames a `SensorCondition` is judged on. It starts with the lane's first frame,
/// and the condition stays `ok` until a whole window has been seen.
struct ConditionWindow {
    /// The length of a window: long enough that a person standing under the sensor for a few
    /// seconds (whose head can read saturated) does not change it.
    static let windowUs: UInt64 = 60_000_000
    /// Shares of unusable readings, as the fraction `unusable * denominator > zones * numerator`.
    static let degradedShare = (numerator: UInt64(1), denominator: UInt64(5))
    static let blindShare = (numerator: UInt64(1), denominator: UInt64(2))

    // Widest first and 32-bit counts, to keep the board's RAM: the device session grew 48 bytes
    // with two depth lanes' windows (it would be 80 with 64-bit counts in declaration order). A
    // minute at the part's fastest (8x8 at 15 Hz, 4x4 at 60 Hz) is under 60,000 readings.
    private var startUs: UInt64 = 0
    private var zones: UInt32 = 0
    private var unusable: UInt32 = 0
    private(set) var condition = SensorCondition.ok
    private var started = false

    /// Adds a frame of `zoneCount` readings, `unusableCount` of them without a distance; closes
    /// the window and judges it once a minute has passed since it opened.
    mutating func add(timeUs: UInt64, zoneCount: Int, unusableCount: UInt32) {
        if !started || timeUs &- startUs >= Self.windowUs {
            if started { condition = judge() }
            started = true
            startUs = timeUs
            zones = 0
            unusable = 0
        }
        zones &+= UInt32(truncatingIfNeeded: zoneCount)
        unusable &+= unusableCount
    }

    private func judge() -> SensorCondition {
        let unusable = UInt64(unusable)
        let zones = UInt64(zones)
        if unusable * Self.blindShare.denominator > zones * Self.blindShare.numerator { return .blind }
        if unusable * Self.degradedShare.denominator > zones * Self.degradedShare.numerator { return .degraded }
        return .ok
    }
}
