/// The fixed capacities of one lane's counting core.
///
/// Every buffer in CrossingCore is sized by one of these. `InlineArray` needs its count as a
/// literal, so the literals in the declarations must match; `Limits.check()` asserts that at
/// start-up, and the tests assert it too.
public enum Limits {
    /// Zones of the largest supported grid (8x8).
    public static let zonesMax = 64
    /// Grid sides the core accepts: 4x4 and 8x8 modes of a VL53L5CX/VL53L8CX-class sensor.
    public static let sideMin: UInt8 = 4
    public static let sideMax: UInt8 = 8
    /// Objects tracked at once in one lane. Past this, new objects are dropped and counted.
    public static let tracksMax = 16
    /// Objects segmented in one frame. Past this, the smallest are dropped and counted.
    public static let blobsMax = 16
    /// Closed interval bins held until the firmware drains them. At most one closes per frame
    /// and the firmware drains them every turn of its loop, so a few are plenty; each costs 64
    /// bytes of every lane's RAM. Past this, the oldest is dropped and counted (lifetime totals
    /// stay exact).
    public static let binsMax = 4
    /// Cells of a tally: four classes times three directions.
    public static let cellsMax = CrossingClass.count * Direction.count

    /// Asserts the relations between the constants and the literal sizes used in declarations.
    public static func check() {
        precondition(zonesMax == Int(sideMax) * Int(sideMax))
        precondition(cellsMax == 12)
        precondition(blobsMax <= 255 && zonesMax <= 255)
        precondition(tracksMax == UInt16.bitWidth, "the tracker keeps its slots in a UInt16 mask")
        precondition(zonesMax == UInt64.bitWidth, "occupancy is a UInt64 mask")
    }
}
