import CrossingCore

/// A block of heights painted onto the grid: `heights[r][c]` in mm above the floor, with its
/// first row at `row` (which may be fractional: objects move smoothly, not zone by zone) and
/// its first column at `col`. Rows may be negative or past the grid: only the part in view is
/// painted, as an object partly inside the field of view.
struct Shape {
    var row: Double
    var col: Int
    var heights: [[Int]]

    init(row: Double, col: Int, heights: [[Int]]) {
        self.row = row
        self.col = col
        self.heights = heights
    }

    /// A person seen from above: a row of back and shoulders, then the head between the
    /// shoulders. Shoulders stand at about 0.82 of a person's height.
    static func person(row: Double, col: Int, headMm: Int = 1750) -> Shape {
        let shoulderMm = headMm * 82 / 100
        return Shape(row: row, col: col, heights: [
            [shoulderMm - 80, shoulderMm, shoulderMm - 80],
            [shoulderMm - 50, headMm, shoulderMm - 50],
        ])
    }

    /// What a zone sees: the highest part of the shape that overlaps it at all, as the
    /// nearest surface in the zone's cone.
    func height(row zoneRow: Int, col zoneCol: Int) -> Int {
        let c = zoneCol - col
        var highest = 0
        for (r, cells) in heights.enumerated() where c >= 0 && c < cells.count {
            let top = row + Double(r)
            if top < Double(zoneRow + 1) && top + 1 > Double(zoneRow) { highest = max(highest, cells[c]) }
        }
        return highest
    }
}

/// Builds frames by hand and feeds them to a lane, keeping sequence and time consistent.
/// The floor is flat at `floorMm` on every zone, so heights map straight to distances.
struct FrameFeeder {
    var lane: DepthLaneCounter
    var scratch = DepthScratch()
    var sequence: UInt32 = 0
    var timeUs: UInt64 = 1_000_000
    let periodUs: UInt64
    let floorMm: Int
    let side: Int
    /// A small deterministic ripple on every reading, so nothing relies on exact values.
    static let noiseSeed: UInt64 = 0x9E37_79B9_7F4A_7C15
    var noiseState = noiseSeed
    let noiseMm: Int
    /// What an empty zone reads: its floor distance (nil), or a status with no distance, as a
    /// part whose reach ends above the floor reports it; in every zone, or in the rows
    /// `emptyStatusRows` picks (the floor at the edge of reach returns in some zones only).
    var emptyStatus: ZoneStatus?
    var emptyStatusRows: (Int) -> Bool = { _ in true }

    init(config: LaneConfig, hz: Int = 10, noiseMm: Int = 15) throws {
        lane = try DepthLaneCounter(config: config)
        periodUs = UInt64(1_000_000 / hz)
        floorMm = Int(config.mountHeightMm)
        side = Int(config.side)
        self.noiseMm = noiseMm
    }

    mutating func noise() -> Int {
        guard noiseMm > 0 else { return 0 }
        noiseState = noiseState &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((noiseState >> 33) % UInt64(2 * noiseMm + 1)) - noiseMm
    }

    /// The readings a sensor would report for these shapes.
    mutating func zones(_ shapes: [Shape], invalid: Set<Int> = []) -> [ZoneReading] {
        var zones: [ZoneReading] = []
        for zone in 0..<(side * side) {
            if invalid.contains(zone) {
                zones.append(ZoneReading(distanceMm: 0, status: .invalid))
                continue
            }
            let height = shapes.map { $0.height(row: zone / side, col: zone % side) }.max() ?? 0
            if height == 0, let emptyStatus, emptyStatusRows(zone / side) {
                zones.append(ZoneReading(distanceMm: 0, status: emptyStatus))
                continue
            }
            zones.append(ZoneReading(distanceMm: UInt16(floorMm - height + noise())))
        }
        return zones
    }

    /// Feeds one frame; returns the crossings it completed.
    @discardableResult
    mutating func feed(_ shapes: [Shape], invalid: Set<Int> = []) throws(FrameError) -> Int {
        let readings = zones(shapes, invalid: invalid)
        return try feed(readings: readings)
    }

    @discardableResult
    mutating func feed(readings: [ZoneReading], side frameSide: Int? = nil, sequenceStep: UInt32 = 1) throws(FrameError) -> Int {
        let header = FrameHeader(sequence: sequence, timestampUs: timeUs, side: UInt8(frameSide ?? side))
        let crossings = try lane.process(header: header, zones: readings.span, scratch: &scratch)
        sequence &+= sequenceStep
        timeUs += periodUs
        return crossings
    }

    /// Empty frames, long enough for every zone to learn the floor.
    mutating func learnFloor() throws(FrameError) {
        for _ in 0..<40 { try feed([]) }
    }

    /// Moves shapes from `fromRow` to `toRow` at `milliRowsPerFrame` thousandths of a row per
    /// frame; `make` places the shapes for a (fractional) row position.
    mutating func move(_ make: (Double) -> [Shape], fromRow: Int, toRow: Int, milliRowsPerFrame: Int) throws(FrameError) {
        precondition(milliRowsPerFrame > 0)
        let step = fromRow <= toRow ? milliRowsPerFrame : -milliRowsPerFrame
        var position = fromRow * 1000
        while fromRow <= toRow ? position <= toRow * 1000 : position >= toRow * 1000 {
            try feed(make(Double(position) / 1000))
            position += step
        }
    }

    /// Frames with the same shapes, standing still.
    mutating func hold(_ shapes: [Shape], frames: Int) throws(FrameError) {
        for _ in 0..<frames { try feed(shapes) }
    }

    func total(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        lane.total(crossingClass, direction)
    }
}

/// Lane set-ups used by the tests.
enum Lanes {
    /// A walkway: sensor at 4 m, 45 degree field of view (3.3 m on the floor).
    static var walkway: LaneConfig { LaneConfig() }

    /// A road lane: sensor at 8 m, 45 degree field of view (6.6 m on the floor).
    static var road: LaneConfig {
        var config = LaneConfig()
        config.mountHeightMm = 8000
        config.floorSpanMm = 6627
        return config
    }
}
