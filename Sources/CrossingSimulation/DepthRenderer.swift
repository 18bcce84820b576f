import CrossingCore
import Foundation

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

/// Renders bodies into depth the way a multizone time-of-flight sensor sees them: each zone
/// returns the radial distance to the nearest surface inside its cone, sampled by 3 x 3 rays.
public struct DepthRenderer: Sendable {
    public let side: Int
    public let mountHeightM: Double
    public let floorSpanM: Double
    /// Rays per zone along each axis.
    public static let raysPerAxis = 3

    /// Floor point (along, across) and length of every ray, zone by zone.
    private let rayAlong: [Double]
    private let rayAcross: [Double]
    private let rayLength: [Double]
    /// Each zone's distance with nothing in view.
    public let floorDistancesM: [Double]

    public init(side: Int, mountHeightM: Double, fieldOfViewDeg: Double) {
        precondition(side == 4 || side == 8)
        precondition(mountHeightM > 0 && fieldOfViewDeg > 0 && fieldOfViewDeg < 170)
        self.side = side
        self.mountHeightM = mountHeightM
        floorSpanM = DepthRenderer.floorSpanM(mountHeightM: mountHeightM, fieldOfViewDeg: fieldOfViewDeg)
        let cellM = floorSpanM / Double(side)
        let rays = DepthRenderer.raysPerAxis
        let stepM = cellM / Double(rays)
        var along: [Double] = []
        var across: [Double] = []
        var length: [Double] = []
        var floors: [Double] = []
        for row in 0..<side {
            for col in 0..<side {
                var nearest = Double.infinity
                for i in 0..<rays {
                    for j in 0..<rays {
                        let a = -floorSpanM / 2 + Double(row) * cellM + (Double(i) + 0.5) * stepM
                        let c = -floorSpanM / 2 + Double(col) * cellM + (Double(j) + 0.5) * stepM
                        let l = (a * a + c * c + mountHeightM * mountHeightM).squareRoot()
                        along.append(a)
                        across.append(c)
                        length.append(l)
                        nearest = min(nearest, l)
                    }
                }
                floors.append(nearest)
            }
        }
        rayAlong = along
        rayAcross = across
        rayLength = length
        floorDistancesM = floors
    }

    /// Width of a square view on the floor: 2 x height x tan(fov / 2).
    public static func floorSpanM(mountHeightM: Double, fieldOfViewDeg: Double) -> Double {
        2 * mountHeightM * tan(fieldOfViewDeg * Double.pi / 360)
    }

    /// Half the view's length on the floor.
    public var halfSpanM: Double { floorSpanM / 2 }

    /// Noise-free radial distances in metres, row-major, written into `out`.
    public func render(_ bodies: [PlacedBody], into out: inout [Double]) {
        precondition(out.count == side * side)
        var boxes: [Box] = []
        for placed in bodies {
            for box in worldBoxes(placed) where inView(box) { boxes.append(box) }
        }
        if boxes.isEmpty {
            for zone in 0..<out.count { out[zone] = floorDistancesM[zone] }
            return
        }
        let rays = DepthRenderer.raysPerAxis * DepthRenderer.raysPerAxis
        for zone in 0..<(side * side) {
            var nearest = Double.infinity
            for ray in (zone * rays)..<((zone + 1) * rays) {
                nearest = min(nearest, rayDistance(ray, boxes: boxes))
            }
            out[zone] = nearest
        }
    }

    /// Convenience for tests: the distances as a new array.
    public func distances(_ bodies: [PlacedBody]) -> [Double] {
        var out = [Double](repeating: 0, count: side * side)
        render(bodies, into: &out)
        return out
    }

    /// Anything outside the view on the floor cannot be inside any cone.
    private func inView(_ box: Box) -> Bool {
        let half = halfSpanM
        let along = box.alongMax > -half && box.alongMin < half
        return along && box.acrossMax > -half && box.acrossMin < half
    }

    /// Boxes in lane coordinates.
    private func worldBoxes(_ placed: PlacedBody) -> [Box] {
        placed.body.boxes.map { box in
            let a = placed.alongM + (placed.towardLastRow ? box.alongMin : -box.alongMax)
            let b = placed.alongM + (placed.towardLastRow ? box.alongMax : -box.alongMin)
            return Box(along: a...b, across: (placed.acrossM + box.acrossMin)...(placed.acrossM + box.acrossMax), topM: box.topM)
        }
    }

    /// Distance along a ray to the first surface it meets. The ray's horizontal position at
    /// height z is floor x u with u = 1 - z / H, so each box bounds u from below; the highest
    /// hit is the smallest u.
    private func rayDistance(_ ray: Int, boxes: [Box]) -> Double {
        let along = rayAlong[ray]
        let across = rayAcross[ray]
        var uNearest = 1.0
        for box in boxes {
            var low = max(1 - box.topM / mountHeightM, 0.001)
            var high = 1.0
            guard clip(&low, &high, floor: along, min: box.alongMin, max: box.alongMax),
                clip(&low, &high, floor: across, min: box.acrossMin, max: box.acrossMax)
            else { continue }
            uNearest = min(uNearest, low)
        }
        return rayLength[ray] * uNearest
    }

    /// Narrows [low, high] to the u where floor x u lies in [min, max]; false when empty.
    private func clip(_ low: inout Double, _ high: inout Double, floor: Double, min lower: Double, max upper: Double) -> Bool {
        if floor == 0 { return lower <= 0 && 0 <= upper }
        let first = lower / floor
        let second = upper / floor
        low = max(low, Swift.min(first, second))
        high = Swift.min(high, max(first, second))
        return low <= high
    }
}
