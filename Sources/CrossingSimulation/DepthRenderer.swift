import CrossingCore
import Foundation

/// A body placed in the lane: `alongM` is its reference point's distance along the lane from
/// the sensor's nadir (toward the last row is positive), `acrossM` across it.
public struct PlacedBody: Sendable {
    public var body: Body
    public var alongM: Double
    public var acrossM: Double
    public var towardLastRow: Bool
    /// Reflectance of its surfaces at 940 nm, 0-1.
    public var reflectance: Double

    public init(body: Body, alongM: Double, acrossM: Double, towardLastRow: Bool, reflectance: Double) {
        self.body = body
        self.alongM = alongM
        self.acrossM = acrossM
        self.towardLastRow = towardLastRow
        self.reflectance = reflectance
    }
}

/// Traces what a multizone time-of-flight sensor's zones look at: 3 x 3 rays per zone, each
/// meeting the highest surface in its path, as a distance perpendicular to the sensor's face
/// (what the part reports) and that surface's reflectance. `DepthPart` turns a zone's rays into
/// its report.
public struct DepthRenderer: Sendable {
    public let side: Int
    public let mountHeightM: Double
    public let floorSpanM: Double
    public let floorReflectance: Double
    /// Rays per zone along each axis.
    public static let raysPerAxis = 3
    public static let raysPerZone = raysPerAxis * raysPerAxis

    /// Floor point (along, across) of every ray, zone by zone.
    private let rayAlong: [Double]
    private let rayAcross: [Double]

    public init(side: Int, mountHeightM: Double, fieldOfViewDeg: Double, floorReflectance: Double) {
        precondition(side == 4 || side == 8)
        precondition(mountHeightM > 0 && fieldOfViewDeg > 0 && fieldOfViewDeg < 170)
        self.side = side
        self.mountHeightM = mountHeightM
        self.floorReflectance = floorReflectance
        floorSpanM = DepthRenderer.floorSpanM(mountHeightM: mountHeightM, fieldOfViewDeg: fieldOfViewDeg)
        let cellM = floorSpanM / Double(side)
        let rays = DepthRenderer.raysPerAxis
        let stepM = cellM / Double(rays)
        var along: [Double] = []
        var across: [Double] = []
        for row in 0..<side {
            for col in 0..<side {
                for i in 0..<rays {
                    for j in 0..<rays {
                        along.append(-floorSpanM / 2 + Double(row) * cellM + (Double(i) + 0.5) * stepM)
                        across.append(-floorSpanM / 2 + Double(col) * cellM + (Double(j) + 0.5) * stepM)
                    }
                }
            }
        }
        rayAlong = along
        rayAcross = across
    }

    /// The range factor of each zone (`DepthPart.rangeFactor`), row-major.
    public var zoneRangeFactors: [Double] {
        (0..<(side * side)).map { zone in
            let offset = { (index: Int) in (Double(index) + 0.5) / Double(self.side) * 2 - 1 }
            return DepthPart.rangeFactor(alongOffset: offset(zone / side), acrossOffset: offset(zone % side))
        }
    }

    /// Width of a square view on the floor: 2 x height x tan(fov / 2).
    public static func floorSpanM(mountHeightM: Double, fieldOfViewDeg: Double) -> Double {
        2 * mountHeightM * tan(fieldOfViewDeg * Double.pi / 360)
    }

    /// Half the view's length on the floor.
    public var halfSpanM: Double { floorSpanM / 2 }

    /// What every ray meets, zone by zone (`raysPerZone` each), written into `out`.
    public func render(_ bodies: [PlacedBody], into out: inout [RayHit]) {
        precondition(out.count == side * side * DepthRenderer.raysPerZone)
        var boxes: [Box] = []
        var reflectances: [Double] = []
        for placed in bodies {
            for box in worldBoxes(placed) where inView(box) {
                boxes.append(box)
                reflectances.append(placed.reflectance)
            }
        }
        for ray in out.indices {
            out[ray] = rayHit(ray, boxes: boxes, reflectances: reflectances)
        }
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

    /// The first surface a ray meets. The ray's horizontal position at height z is floor x u
    /// with u = 1 - z / H, so each box bounds u from below; the highest hit is the smallest u,
    /// at perpendicular distance H x u.
    private func rayHit(_ ray: Int, boxes: [Box], reflectances: [Double]) -> RayHit {
        let along = rayAlong[ray]
        let across = rayAcross[ray]
        var uNearest = 1.0
        var reflectance = floorReflectance
        for (index, box) in boxes.enumerated() {
            var low = max(1 - box.topM / mountHeightM, 0.001)
            var high = 1.0
            guard clip(&low, &high, floor: along, min: box.alongMin, max: box.alongMax),
                clip(&low, &high, floor: across, min: box.acrossMin, max: box.acrossMax),
                low < uNearest
            else { continue }
            uNearest = low
            reflectance = reflectances[index]
        }
        return RayHit(distanceM: mountHeightM * uNearest, reflectance: reflectance)
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
