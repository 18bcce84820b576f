/// One object found in one frame: a set of connected occupied zones with a single height peak.
struct Blob {
    /// Height-weighted centroid, Q8 zone units.
    var xQ8: Int32 = 0
    var yQ8: Int32 = 0
    var peakMm: Int32 = 0
    var meanMm: Int32 = 0
    var zoneCount: Int32 = 0
    var rowMin: Int32 = 0
    var rowMax: Int32 = 0
    var colMin: Int32 = 0
    var colMax: Int32 = 0
    /// Extent along and across the lane, and footprint, at the blob's mean height.
    var lengthMm: Int32 = 0
    var widthMm: Int32 = 0
    var areaDm2: Int32 = 0

    /// True when the blob reaches the first or last row: it may extend beyond the field of view.
    func touchesRowEdge(side: Int32) -> Bool {
        rowMin == 0 || rowMax == side - 1
    }
}

/// Running sums for one blob while its zones are gathered.
struct BlobSums {
    var weight: Int64 = 0
    var rowWeighted: Int64 = 0
    var colWeighted: Int64 = 0
    var peakMm: Int32 = 0
    var count: Int32 = 0
    var rowMin: Int32 = 0
    var rowMax: Int32 = 0
    var colMin: Int32 = 0
    var colMax: Int32 = 0

    mutating func start(row: Int32, col: Int32, heightMm: Int32) {
        self = BlobSums()
        peakMm = heightMm
        rowMin = row
        rowMax = row
        colMin = col
        colMax = col
        add(row: row, col: col, heightMm: heightMm)
    }

    mutating func add(row: Int32, col: Int32, heightMm: Int32) {
        let weight64 = Int64(heightMm)
        weight &+= weight64
        rowWeighted &+= weight64 &* Int64(row &* 256 &+ 128)
        colWeighted &+= weight64 &* Int64(col &* 256 &+ 128)
        count &+= 1
        peakMm = max(peakMm, heightMm)
        rowMin = min(rowMin, row)
        rowMax = max(rowMax, row)
        colMin = min(colMin, col)
        colMax = max(colMax, col)
    }

    func blob(geometry: LaneGeometry) -> Blob {
        precondition(count > 0 && weight > 0)
        var blob = Blob()
        blob.xQ8 = Int32(colWeighted / weight)
        blob.yQ8 = Int32(rowWeighted / weight)
        blob.peakMm = peakMm
        blob.meanMm = Int32(weight / Int64(count))
        blob.zoneCount = count
        blob.rowMin = rowMin
        blob.rowMax = rowMax
        blob.colMin = colMin
        blob.colMax = colMax
        let pitchMm = geometry.pitchMm(atHeightMm: blob.meanMm)
        blob.lengthMm = (rowMax - rowMin + 1) * pitchMm
        blob.widthMm = (colMax - colMin + 1) * pitchMm
        blob.areaDm2 = count * pitchMm * pitchMm / 10_000
        return blob
    }
}
