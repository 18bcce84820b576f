/// Splits a height map into objects.
///
/// Occupied zones are joined into 8-connected regions, and a region with several height peaks
/// is split where the valley between two peaks is deep enough (topographic prominence): two
/// people side by side or back to back are two objects, while noise on a car roof, a truck's
/// trailer behind its cab, or a bus longer than the field of view stay one.
///
/// Zones are visited from the highest down, joining the regions they touch (union-find), which
/// decides each merge at its saddle height in a single pass. Only occupied zones are visited:
/// an empty frame costs nothing here.
struct Segmenter {
    /// Zone indices of occupied zones, highest first.
    var order = InlineArray<64, UInt8>(repeating: 0)
    /// Union-find parent per visited zone.
    var parent = InlineArray<64, UInt8>(repeating: 0)
    /// Peak height of the region rooted at a zone.
    var peakMm = InlineArray<64, Int16>(repeating: 0)
    /// Blob slot of the region rooted at a zone.
    var slot = InlineArray<64, UInt8>(repeating: Segmenter.noSlot)
    var sums = InlineArray<16, BlobSums>(repeating: BlobSums())
    /// The blobs of the last frame segmented.
    var blobs = InlineArray<16, Blob>(repeating: Blob())
    var blobCount = 0

    static let noSlot: UInt8 = 255
    static let droppedSlot: UInt8 = 254

    /// Segments the occupied zones of `heights` (vertical mm) into `blobs`, returning how many.
    mutating func segment(
        heights: Span<Int16>,
        occupied: UInt64,
        config: LaneConfig,
        geometry: LaneGeometry,
        health: inout Health
    ) -> Int {
        precondition(heights.count == Limits.zonesMax)
        blobCount = 0
        if occupied == 0 { return 0 }
        let occupiedCount = sortOccupied(heights: heights, occupied: occupied)
        var visited: UInt64 = 0
        for rank in 0..<occupiedCount {
            let zone = Int(order[rank])
            join(zone: zone, visited: visited, heights: heights, config: config, side: geometry.side)
            visited |= bit64(zone)
        }
        gather(occupiedCount: occupiedCount, heights: heights, geometry: geometry, health: &health)
        for index in 0..<blobCount {
            blobs[index] = sums[index].blob(geometry: geometry, busHeightMinMm: Int32(config.classifier.busHeightMinMm))
        }
        return blobCount
    }

    /// Fills `order` with the occupied zones, highest first (ties: lower index first).
    /// Insertion sort on packed keys (height, then inverted index): at most 64, usually a few.
    private mutating func sortOccupied(heights: Span<Int16>, occupied: UInt64) -> Int {
        var keys = InlineArray<64, UInt32>(repeating: 0)
        var count = 0
        for zone in SetBits(occupied) {
            slot[zone] = Segmenter.noSlot
            let key = UInt32(UInt16(bitPattern: max(heights[zone], 0))) &<< 8 | UInt32(255 &- zone)
            var position = count
            while position > 0 && keys[position - 1] < key {
                keys[position] = keys[position - 1]
                position -= 1
            }
            keys[position] = key
            count += 1
        }
        for rank in 0..<count {
            order[rank] = UInt8(255 &- (keys[rank] & 0xFF))
        }
        return count
    }

    /// Adds one zone to the regions around it, merging regions whose valley is too shallow.
    /// Neighbours already visited are at least as high as this zone, which makes it the saddle
    /// of any regions it connects.
    private mutating func join(zone: Int, visited: UInt64, heights: Span<Int16>, config: LaneConfig, side: Int) {
        let neighbors = visited & Segmenter.neighborMask(zone: zone, side: side)
        if neighbors == 0 {
            parent[zone] = UInt8(zone)
            peakMm[zone] = heights[zone]
            return
        }
        var roots = InlineArray<8, UInt8>(repeating: 0)
        var rootCount = 0
        var steepest = neighbors.trailingZeroBitCount
        for neighbor in SetBits(neighbors) {
            if heights[neighbor] > heights[steepest] { steepest = neighbor }
            let root = find(neighbor)
            var seen = false
            for index in 0..<rootCount where roots[index] == root { seen = true }
            if !seen {
                roots[rootCount] = root
                rootCount += 1
            }
        }
        if rootCount > 1 {
            var best = roots[0]
            for index in 1..<rootCount where peakMm[Int(roots[index])] > peakMm[Int(best)] {
                best = roots[index]
            }
            let saddleMm = Int32(heights[zone])
            for index in 0..<rootCount where roots[index] != best {
                let root = roots[index]
                if !splits(lowerPeakMm: Int32(peakMm[Int(root)]), saddleMm: saddleMm, config: config) {
                    parent[Int(root)] = best
                }
            }
        }
        // Where separate objects meet, the zone goes to the one its highest neighbour is part
        // of (steepest ascent), so the valley between two people is shared out fairly.
        parent[zone] = find(steepest)
    }

    /// The up to eight zones around `zone`, as a mask. Bits past the grid are harmless: only
    /// visited (occupied) zones are ever tested against it.
    @inline(__always)
    static func neighborMask(zone: Int, side: Int) -> UInt64 {
        let bit = bit64(zone)
        let col = zone % side
        var row = bit
        if col > 0 { row |= bit &>> 1 }
        if col < side - 1 { row |= bit &<< 1 }
        // The rows above and below, by constant shifts (the grid is 8 or 4 wide).
        let vertical = side == 8 ? row &<< 8 | row &>> 8 : row &<< 4 | row &>> 4
        return (row | vertical) & ~bit
    }

    /// Whether a peak stays its own object where it meets a higher one at `saddleMm`.
    /// Monotone in the saddle: a pair split at one saddle is split at every lower one.
    @inline(__always)
    private func splits(lowerPeakMm: Int32, saddleMm: Int32, config: LaneConfig) -> Bool {
        if lowerPeakMm - saddleMm < Int32(config.peakProminenceMm) { return false }
        if lowerPeakMm < Int32(config.splitPeakMinMm) { return false }
        if lowerPeakMm >= Int32(config.classifier.busHeightMinMm) {
            return saddleMm < Int32(config.tallSplitSaddleMaxMm)
        }
        return true
    }

    /// Root of a zone's region, halving paths on the way. Depth is bounded by the zone count.
    private mutating func find(_ start: Int) -> UInt8 {
        var zone = start
        for _ in 0..<Limits.zonesMax {
            let up = Int(parent[zone])
            if up == zone { return UInt8(zone) }
            let grand = parent[up]
            parent[zone] = grand
            zone = Int(grand)
        }
        preconditionFailure("union-find cycle")
    }

    /// Sums each region into a blob slot. Regions are met tallest peak first, so when the slots
    /// run out it is the lowest objects that are dropped, and counted.
    private mutating func gather(occupiedCount: Int, heights: Span<Int16>, geometry: LaneGeometry, health: inout Health) {
        let side = geometry.side
        for rank in 0..<occupiedCount {
            let zone = Int(order[rank])
            let root = Int(find(zone))
            let row = Int32(zone / side)
            let col = Int32(zone % side)
            let heightMm = Int32(heights[zone])
            // The zone's central ray traced down to the surface it met (`LaneGeometry.floorHalfMm`).
            let clearanceMm = max(geometry.mountHeightMm - heightMm, 0)
            let acrossScaled = geometry.floorHalfMm(index: col) * clearanceMm
            let alongScaled = geometry.floorHalfMm(index: row) * clearanceMm
            let current = slot[root]
            if current == Segmenter.droppedSlot { continue }
            if current != Segmenter.noSlot {
                sums[Int(current)].add(
                    row: row, col: col, heightMm: heightMm, acrossScaled: acrossScaled, alongScaled: alongScaled)
                continue
            }
            if blobCount == Limits.blobsMax {
                slot[root] = Segmenter.droppedSlot
                health.objectsDropped &+= 1
                continue
            }
            slot[root] = UInt8(blobCount)
            sums[blobCount].start(row: row, col: col, heightMm: heightMm, acrossScaled: acrossScaled, alongScaled: alongScaled)
            blobCount += 1
        }
    }
}
