/// Which of a blob's measurements belong to its object alone. A neighbouring blob within a
/// zone may have taken part of the object at the valley between them, or given it part of
/// its own. One straight ahead or behind (sharing columns, not rows) leaves the width across
/// the lane whole; any neighbour may change the length along it, which would make a walker
/// beside another look as long as a rider.
struct Solitude {
    /// No other blob within a zone: the length along the lane is the object's.
    var along = false
    /// No other blob within a zone beside or diagonally: the width across the lane is the
    /// object's.
    var across = false

    /// Neither measurement trusted: an object coming into view, or merged with another.
    init() {}

    /// The solitude of `blobs[index]` among the other blobs of its frame.
    init(blob index: Int, blobs: Span<Blob>) {
        let blob = blobs[index]
        along = true
        across = true
        for other in 0..<blobs.count where other != index {
            let neighbour = blobs[other]
            guard Tracker.near(neighbour, blob) else { continue }
            along = false
            let rowsOverlap = neighbour.rowMin <= blob.rowMax && neighbour.rowMax >= blob.rowMin
            let colsOverlap = neighbour.colMin <= blob.colMax && neighbour.colMax >= blob.colMin
            if rowsOverlap || !colsOverlap { across = false }
        }
    }
}
