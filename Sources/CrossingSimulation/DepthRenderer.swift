import CrossingCore
import Foundation

/// What the sensor gets wrong, drawn from the scene's seed.
public struct SensorModel: Sendable, Equatable {
    /// Gaussian range noise per reading.
    public var noiseSigmaMm: Double = 15
    /// Probability that a zone reading comes back invalid.
    public var invalidRate: Double = 0
    /// Targets beyond this range come back invalid.
    public var rangeMaxMm: Double = 12_000

    public init() {}
}

/// A body placed in the lane: `alongM` is its reference point's distance along the lane from
/// the sensor's nadir (toward the last row is positive), `acrossM` across it.
public struct PlacedBody: Sendable {
    public var body: Body
    public var alongM: Double
    public var acrossM: Double
    public var towardLastRow: Bool

    public init(body: Body, alongM: Double, acrossM: Double, towardLastRow: Bool) {
        self.body = body
        self.alongM = alongM
        self.acrossM = acrossM
        self.towardLastRow = towardLastRow
    }
}

/// Renders bodies into depth frames the way a multizone time-of-flight sensor reports them:
/// each zone returns the radial distance to the nearest surface inside its cone, sampled by a
/// few rays per zone.
public struct DepthRenderer: Sendable {
    public let side: Int
    public let mountHeightM: Double
    public let floorSpanM: Double
    /// Rays per zone along each axis.
    public let raysPerAxis = 3

    public init(side: Int, mountHeightM: Double, fieldOfViewDeg: Double) {
        precondition(side == 4 || side == 8)
        precondition(mountHeightM > 0 && fieldOfViewDeg > 0 && fieldOfViewDeg < 170)
        self.side = side
        self.mountHeightM = mountHeightM
        floorSpanM = 2 * mountHeightM * tan(fieldOfViewDeg * Double.pi / 360)
    }

    /// Half the view's length on the floor: bodies further than this plus their length are out of view.
    public var halfSpanM: Double { floorSpanM / 2 }

    /// Noise-free radial distances in metres, row-major.
    public func distances(_ bodies: [PlacedBody]) -> [Double] {
        let boxes = bodies.flatMap { worldBoxes($0) }
        var out = [Double](repeating: 0, count: side * side)
        let cellM = floorSpanM / Double(side)
        let rayStepM = cellM / Double(raysPerAxis)
        for row in 0..<side {
            for col in 0..<side {
                var nearest = Double.infinity
                for i in 0..<raysPerAxis {
                    for j in 0..<raysPerAxis {
                        let floorAlong = -halfSpanM + Double(row) * cellM + (Double(i) + 0.5) * rayStepM
                        let floorAcross = -halfSpanM + Double(col) * cellM + (Double(j) + 0.5) * rayStepM
                        nearest = min(nearest, rayDistance(along: floorAlong, across: floorAcross, boxes: boxes))
                    }
                }
                out[row * side + col] = nearest
            }
        }
        return out
    }

    /// One frame of readings, with the sensor's noise and failures drawn from `random`.
    public func readings(_ bodies: [PlacedBody], sensor: SensorModel, random: inout SplitMix64) -> [ZoneReading] {
        distances(bodies).map { distanceM in
            let noisyMm = distanceM * 1000 + random.normal() * sensor.noiseSigmaMm
            if random.chance(sensor.invalidRate) || noisyMm > sensor.rangeMaxMm || noisyMm <= 0 {
                return ZoneReading(distanceMm: 0, status: .invalid)
            }
            return ZoneReading(distanceMm: UInt16(min(noisyMm.rounded(), 65_535)))
        }
    }

    /// Boxes in lane coordinates: (alongMin, alongMax, acrossMin, acrossMax, top).
    private func worldBoxes(_ placed: PlacedBody) -> [Box] {
        placed.body.boxes.map { box in
            let a = placed.alongM + (placed.towardLastRow ? box.alongMin : -box.alongMax)
            let b = placed.alongM + (placed.towardLastRow ? box.alongMax : -box.alongMin)
            return Box(along: a...b, across: (placed.acrossM + box.acrossMin)...(placed.acrossM + box.acrossMax), topM: box.topM)
        }
    }

    /// Distance along the ray from the sensor toward a floor point to the first surface it meets.
    /// The ray's horizontal position at height z is floor * u with u = 1 - z / H, so each box
    /// bounds u from below; the highest hit is the smallest u.
    private func rayDistance(along: Double, across: Double, boxes: [Box]) -> Double {
        let rayLengthM = (along * along + across * across + mountHeightM * mountHeightM).squareRoot()
        var uNearest = 1.0
        for box in boxes {
            var low = max(1 - box.topM / mountHeightM, 0.001)
            var high = 1.0
            guard clip(&low, &high, floor: along, min: box.alongMin, max: box.alongMax),
                clip(&low, &high, floor: across, min: box.acrossMin, max: box.acrossMax)
            else { continue }
            uNearest = min(uNearest, low)
        }
        return rayLengthM * uNearest
    }

    /// Narrows [low, high] to the u where floor * u lies in [min, max]; false when empty.
    private func clip(_ low: inout Double, _ high: inout Double, floor: Double, min lower: Double, max upper: Double) -> Bool {
        if floor == 0 { return lower <= 0 && 0 <= upper }
        let first = lower / floor
        let second = upper / floor
        low = max(low, Swift.min(first, second))
        high = Swift.min(high, max(first, second))
        return low <= high
    }
}
