/// One object found in one frame: a set of connected occupied zones with a single height peak.
struct Blob {
    /// Height-weighted centroid of the blob's top (zones within 80 % of its peak), Q8 zone
    /// units. The top is what moves with the object: the low parts of a blob grow and shrink
    /// with perspective and with how much of the object is in view. Bus-tall objects use the
    /// centroid of the whole blob instead: a trailer standing higher than its cab would make
    /// the top jump backwards, from cab to trailer, as the trailer comes into view.
    var xQ8: Int32 = 0
    var yQ8: Int32 = 0
    var peakMm: Int32 = 0
    var rowMin: Int32 = 0
    var rowMax: Int32 = 0
    var colMin: Int32 = 0
    var colMax: Int32 = 0
    /// Width across the lane and footprint of its top (zones within 80 % of the peak), at the
    /// peak's height. Low zones are left out: near the edge of the view the slanted rays see an
    /// object's sides, which would make a person look as wide as a car.
    var topWidthMm: Int32 = 0
    /// Length along the lane of the top, at the peak's height.
    var topLengthMm: Int32 = 0
    var topAreaDm2: Int32 = 0
    /// Width across the lane of the surfaces seen, each zone's ray followed down to the height
    /// it hit: a person off to the side shows the sensor their flank, but the flank's surfaces
    /// still lie within the person's own width.
    var trueWidthMm: Int32 = 0
    /// How far the surfaces above half the peak, traced down their rays as for `trueWidthMm`,
    /// reach beyond the peak's own zone toward the first row and toward the last: a rider's
    /// arms and handlebar reach half a metre and more ahead of the head; a walker's shoulders
    /// do not, and what a walker pulls or carries on the back trails behind.
    var reachTowardFirstRowMm: Int32 = 0
    var reachTowardLastRowMm: Int32 = 0

    /// The reach ahead of an object moving at `vyQ8PerS` along the lane; while its direction is
    /// not known yet, the shorter of the two.
    @inline(__always)
    func reachAheadMm(vyQ8PerS: Int32) -> Int32 {
        if vyQ8PerS > 0 { return reachTowardLastRowMm }
        if vyQ8PerS < 0 { return reachTowardFirstRowMm }
        return min(reachTowardFirstRowMm, reachTowardLastRowMm)
    }
}

/// Running sums for one blob while its zones are gathered.
struct BlobSums {
    var weight: Int64 = 0
    var rowWeighted: Int64 = 0
    var colWeighted: Int64 = 0
    var topWeight: Int64 = 0
    var topRowWeighted: Int64 = 0
    var topColWeighted: Int64 = 0
    var peakMm: Int32 = 0
    var count: Int32 = 0
    var rowMin: Int32 = 0
    var rowMax: Int32 = 0
    var colMin: Int32 = 0
    var colMax: Int32 = 0
    var topCount: Int32 = 0
    var topColMin: Int32 = 0
    var topColMax: Int32 = 0
    var topRowMin: Int32 = 0
    var topRowMax: Int32 = 0
    /// Extents across and along the lane of the upper zones, in mm times twice the mount
    /// height (`LaneGeometry.floorHalfMm`).
    var acrossMinScaled: Int32 = 0
    var acrossMaxScaled: Int32 = 0
    var alongMinScaled: Int32 = 0
    var alongMaxScaled: Int32 = 0
    var peakAlongScaled: Int32 = 0

    /// Starts a blob at its peak zone: zones are gathered highest first.
    mutating func start(row: Int32, col: Int32, heightMm: Int32, acrossScaled: Int32, alongScaled: Int32) {
        self = BlobSums()
        acrossMinScaled = acrossScaled
        acrossMaxScaled = acrossScaled
        alongMinScaled = alongScaled
        alongMaxScaled = alongScaled
        peakAlongScaled = alongScaled
        peakMm = heightMm
        rowMin = row
        rowMax = row
        colMin = col
        colMax = col
        topColMin = col
        topColMax = col
        topRowMin = row
        topRowMax = row
        add(row: row, col: col, heightMm: heightMm, acrossScaled: acrossScaled, alongScaled: alongScaled)
    }

    /// `acrossScaled`, `alongScaled`: where the zone's ray met the surface, across and along
    /// the lane, times twice the mount height (see `Blob.trueWidthMm`). Only the upper three
    /// quarters of the object count across the lane (low hits at the edge of a cone are the
    /// least certain), and the upper half along it. Inlined into the gathering loop, so that
    /// the rays' products are only worked out for the zones that use them.
    @inline(__always)
    mutating func add(row: Int32, col: Int32, heightMm: Int32, acrossScaled: Int32, alongScaled: Int32) {
        precondition(heightMm <= peakMm, "zones must arrive highest first")
        if heightMm * 2 >= peakMm {
            alongMinScaled = min(alongMinScaled, alongScaled)
            alongMaxScaled = max(alongMaxScaled, alongScaled)
        }
        if heightMm * 4 >= peakMm * 3 {
            acrossMinScaled = min(acrossMinScaled, acrossScaled)
            acrossMaxScaled = max(acrossMaxScaled, acrossScaled)
        }
        let weight64 = Int64(heightMm)
        let rowWeighted64 = weight64 &* Int64(row &* 256 &+ 128)
        let colWeighted64 = weight64 &* Int64(col &* 256 &+ 128)
        weight &+= weight64
        rowWeighted &+= rowWeighted64
        colWeighted &+= colWeighted64
        if heightMm * 5 >= peakMm * 4 {
            topWeight &+= weight64
            topRowWeighted &+= rowWeighted64
            topColWeighted &+= colWeighted64
            topCount &+= 1
            topColMin = min(topColMin, col)
            topColMax = max(topColMax, col)
            topRowMin = min(topRowMin, row)
            topRowMax = max(topRowMax, row)
        }
        count &+= 1
        rowMin = min(rowMin, row)
        rowMax = max(rowMax, row)
        colMin = min(colMin, col)
        colMax = max(colMax, col)
    }

    func blob(geometry: LaneGeometry, busHeightMinMm: Int32) -> Blob {
        precondition(count > 0 && topCount > 0 && topWeight > 0 && weight >= topWeight)
        var blob = Blob()
        if peakMm >= busHeightMinMm {
            blob.xQ8 = Int32(colWeighted / weight)
            blob.yQ8 = Int32(rowWeighted / weight)
        } else {
            blob.xQ8 = Int32(topColWeighted / topWeight)
            blob.yQ8 = Int32(topRowWeighted / topWeight)
        }
        blob.peakMm = peakMm
        blob.rowMin = rowMin
        blob.rowMax = rowMax
        blob.colMin = colMin
        blob.colMax = colMax
        let topPitchMm = geometry.pitchMm(atHeightMm: peakMm)
        blob.topWidthMm = (topColMax - topColMin + 1) * topPitchMm
        blob.topLengthMm = (topRowMax - topRowMin + 1) * topPitchMm
        blob.topAreaDm2 = topCount * topPitchMm * topPitchMm / 10_000
        let scale = 2 * geometry.mountHeightMm
        blob.trueWidthMm = (acrossMaxScaled - acrossMinScaled) / scale + topPitchMm
        blob.reachTowardFirstRowMm = (peakAlongScaled - alongMinScaled) / scale + topPitchMm / 2
        blob.reachTowardLastRowMm = (alongMaxScaled - peakAlongScaled) / scale + topPitchMm / 2
        return blob
    }
}
