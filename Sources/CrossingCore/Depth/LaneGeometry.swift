/// Quantities derived once from a `LaneConfig`, in the units the hot path uses.
///
/// Positions are in zone units with 8 fractional bits ("Q8"): the grid spans 0 ..< side * 256
/// along both axes, and zone `r` covers r * 256 ..< (r + 1) * 256.
struct LaneGeometry {
    let side: Int
    let zoneCount: Int
    let mountHeightMm: Int32
    let floorPitchMm: Int32
    /// Counting line and the half-width of its neutral band, in Q8 zone units.
    let lineQ8: Int32
    let bandQ8: Int32

    init(_ config: LaneConfig) {
        side = Int(config.side)
        zoneCount = side * side
        mountHeightMm = Int32(config.mountHeightMm)
        floorPitchMm = Int32(config.floorSpanMm) / Int32(config.side)
        let spanQ8 = Int32(config.side) * 256
        lineQ8 = Int32(config.linePermille) * spanQ8 / 1000
        bandQ8 = Int32(config.bandHalfWidthPermille) * spanQ8 / 1000
        precondition(floorPitchMm > 0 && bandQ8 > 0)
        precondition(lineQ8 - bandQ8 > 0 && lineQ8 + bandQ8 < spanQ8)
    }

    /// Width of one zone's footprint at a given height above the floor: the cones narrow toward
    /// the sensor, so an object's size in zones depends on how tall it is.
    @inline(__always)
    func pitchMm(atHeightMm heightMm: Int32) -> Int32 {
        let clearanceMm = max(mountHeightMm - heightMm, mountHeightMm / 16)
        return floorPitchMm * clearanceMm / mountHeightMm
    }

    /// Where a zone's central ray meets the floor, along one axis of the grid (`index` is the
    /// zone's column for across the lane, its row for along), in half millimetres from the
    /// nadir: the halving is left to the division each object makes once. At height h the ray
    /// is at that x (mount - h) / mount, so objects keep their surfaces' positions times twice
    /// the mount height.
    @inline(__always)
    func floorHalfMm(index: Int32) -> Int32 {
        (2 * index + 1 - Int32(side)) * floorPitchMm
    }

    /// -1 on row 0's side of the neutral band, +1 on the far side, 0 inside it.
    @inline(__always)
    func band(ofRowQ8 rowQ8: Int32) -> Int8 {
        if rowQ8 < lineQ8 - bandQ8 { return -1 }
        if rowQ8 > lineQ8 + bandQ8 { return 1 }
        return 0
    }

    /// As `band(ofRowQ8:)`, for a track coming back over the line it has counted: -1 or +1
    /// only beyond a band a quarter zone wider on each side.
    ///
    /// An object standing on the line moves its centroid without moving itself: the zones at
    /// its ends catch it on some frames and not others (a car roof half over an outer zone),
    /// and each row caught or dropped moves the centroid by up to half a zone. A car stopped at
    /// a gate with its middle on the line swings from one edge of the neutral band to the other
    /// for as long as it stands there, so on the plain band it counted out and back every few
    /// seconds. Its first crossing is real, in its direction of travel; coming back counts
    /// only across the wider band, a zone and a half on a 4x4 grid, more than the swing.
    func returnBand(ofRowQ8 rowQ8: Int32) -> Int8 {
        // A quarter zone wider, but never nearer than half a zone to the edge of the view, where
        // only a blob in the outer row alone could reach it. Worked out here, not kept: the
        // board's RAM has a few dozen bytes to spare, and only a track that has counted asks.
        // Nested `min`s: the three-argument one is variadic, and its array costs 24 bytes of
        // initialised data on the board.
        let spanQ8 = Int32(side) * 256
        let returnBandQ8 = max(bandQ8, min(bandQ8 + 64, min(lineQ8, spanQ8 - lineQ8) - 128))
        if rowQ8 < lineQ8 - returnBandQ8 { return -1 }
        if rowQ8 > lineQ8 + returnBandQ8 { return 1 }
        return 0
    }
}
