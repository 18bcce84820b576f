/// The published two-zone people counter (ST UM2600, VL53L1X people counting), as a baseline
/// to compare against: two regions, each occupied when its distance is below a threshold, and a
/// 4-entry history of the combined state. When both regions are empty again, the history
/// 0,1,3,2 counts one way and 0,2,3,1 the other; anything else is discarded.
///
/// It is fed from the same frames as the grid counter: each region's distance is the minimum
/// over the valid zones of its half of the grid (rows before the middle, rows after). Like the
/// original, which ranges the regions alternately, it applies the first region's change before
/// the second's, so both changing in one cycle always reads first-to-second: its direction bias.
public struct TwoZoneCounter {
    /// Crossings from the first half of the grid to the second, and back.
    public private(set) var towardLastRow: UInt64 = 0
    public private(set) var towardFirstRow: UInt64 = 0
    var history = InlineArray<4, UInt8>(repeating: 0)
    var historyCount = 1
    var occupied = InlineArray<2, Bool>(repeating: false)
    var thresholdMm = InlineArray<2, Int32>(repeating: 0)
    var floorSumMm = InlineArray<2, Int32>(repeating: 0)
    var learnedFrames: Int32 = 0

    /// Frames averaged to set the thresholds, and the threshold as a fraction of the floor
    /// (UM2600 suggests 80-85 % of the idle distance).
    public static let learnFrames: Int32 = 16
    public static let thresholdPermille: Int32 = 800

    public init() {}

    /// Counts one frame of side x side readings (row-major). Returns true when it counted.
    @discardableResult
    public mutating func process(zones: Span<ZoneReading>, side: Int) -> Bool {
        precondition(side * side == zones.count && side >= 2)
        let first = Self.minimum(zones: zones, rows: 0..<(side / 2), side: side)
        let second = Self.minimum(zones: zones, rows: (side / 2)..<side, side: side)
        if learnedFrames < Self.learnFrames {
            floorSumMm[0] &+= first ?? 0
            floorSumMm[1] &+= second ?? 0
            learnedFrames += 1
            if learnedFrames == Self.learnFrames {
                for region in 0..<2 {
                    thresholdMm[region] = floorSumMm[region] / Self.learnFrames * Self.thresholdPermille / 1000
                }
            }
            return false
        }
        // An all-invalid region keeps its state, as the original does when a ranging fails.
        let counted0 = update(region: 0, distanceMm: first)
        let counted1 = update(region: 1, distanceMm: second)
        return counted0 || counted1
    }

    private static func minimum(zones: Span<ZoneReading>, rows: Range<Int>, side: Int) -> Int32? {
        var best: Int32?
        for row in rows {
            for col in 0..<side {
                let reading = zones[row * side + col]
                if reading.status != .valid { continue }
                best = min(best ?? Int32.max, Int32(reading.distanceMm))
            }
        }
        return best
    }

    private mutating func update(region: Int, distanceMm: Int32?) -> Bool {
        guard let distanceMm else { return false }
        let now = distanceMm < thresholdMm[region]
        if now == occupied[region] { return false }
        occupied[region] = now
        let combined = UInt8(occupied[0] ? 1 : 0) | UInt8(occupied[1] ? 2 : 0)
        // As in the reference code: the fill count grows on every event, the newest event
        // overwrites the last slot once it is full, and the check runs when both are empty.
        if historyCount < 4 { historyCount += 1 }
        if combined != 0 {
            history[historyCount - 1] = combined
            return false
        }
        defer { historyCount = 1 }
        guard historyCount == 4 else { return false }
        if history[1] == 1 && history[2] == 3 && history[3] == 2 {
            towardLastRow &+= 1
            return true
        }
        if history[1] == 2 && history[2] == 3 && history[3] == 1 {
            towardFirstRow &+= 1
            return true
        }
        return false
    }
}
