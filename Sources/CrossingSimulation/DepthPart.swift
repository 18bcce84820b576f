import Foundation

/// Ambient light at the part's wavelength (940 nm) over the lane.
public enum Ambient: String, Sendable, CaseIterable {
    /// Indoors under artificial light, or at night: no 940 nm to speak of.
    case dark
    /// The datasheet's 5 kLux condition (2 W/m² at 940 nm on the target): daylight in a hall or
    /// under a canopy.
    case daylight
}

/// One ray of a zone and the surface it met: distance perpendicular to the sensor's face, and
/// that surface's reflectance at 940 nm.
public struct RayHit: Sendable, Equatable {
    public var distanceM: Double
    public var reflectance: Double

    public init(distanceM: Double, reflectance: Double) {
        self.distanceM = distanceM
        self.reflectance = reflectance
    }
}

/// How the VL53L8CX turns what a zone sees into its report (Hardware/depth-sensor.md, "How a zone
/// reports"). The figures are the datasheet's, DS14161 tables 16 and 17 (typical, 90 %
/// detection): a zone-filling target is reported out to a range that falls with lower
/// reflectance, with ambient light, and toward the corners of the view.
///
/// - A zone's returns form targets: surfaces within 600 mm of each other merge into one (UM3109),
///   reported at their signal-weighted distance.
/// - A target's signal is the sum over the zone's rays of each surface's reflectance, scaled by
///   its distance as the datasheet's ranges imply, divided by the rays: a target covering a
///   third of the zone returns a third of the signal.
/// - A target is reported only when it covers at least `coverageMin` of the zone (the part's
///   sharpener and minimum-signal rules, which ST does not publish: the scene chooses), and then
///   with a probability that is 90 % at the datasheet's range and falls away quickly beyond it.
/// - The front end sets the target order to closest first and forwards the first target, so
///   a head is reported over the floor behind it.
public struct DepthPart: Sendable {
    /// The part's square field of view along each axis (UM3109).
    public static let fieldOfViewDeg = 45.0
    /// Nothing is reported beyond this, whatever its reflectance (DS14161: "up to 400 cm").
    public static let reachMaxM = 4.0
    /// Closer surfaces than this merge into one target (UM3109: the minimum distance between two
    /// targets to be detected is 600 mm).
    public static let targetSeparationM = 0.6
    /// The inner-zone range of a zone-filling 54 % target, and how range grows with reflectance
    /// (range ∝ reflectance^k), fitted to the datasheet's inner zones. 8x8 (table 17): dark
    /// 2.45 m at 17 % and 3.3 m at 54 %; 5 kLux 1.15 m and 1.4 m. 4x4 (table 16), whose larger
    /// zones gather more light: dark 4 m at 17 % (the table's ceiling; the 8x8 exponent carries
    /// it to 54 %); 5 kLux 1.65 m and 2.6 m.
    static func response(grid: Int, ambient: Ambient) -> (rangeAt54M: Double, exponent: Double) {
        switch (grid, ambient) {
        case (8, .dark): (3.3, 0.258)
        case (8, .daylight): (1.4, 0.170)
        case (_, .dark): (5.4, 0.258)
        case (_, .daylight): (2.6, 0.393)
        }
    }
    /// The corner zones' range relative to the inner ones (table 17: 0.80-0.94).
    static let cornerRangeFactor = 0.88

    public let ambient: Ambient
    public let coverageMin: Double
    private let rangeAt54M: Double
    private let inverseExponent: Double

    public init(grid: Int, ambient: Ambient, coverageMin: Double) {
        precondition(coverageMin > 0 && coverageMin <= 1 && (grid == 4 || grid == 8))
        self.ambient = ambient
        self.coverageMin = coverageMin
        let response = DepthPart.response(grid: grid, ambient: ambient)
        rangeAt54M = response.rangeAt54M
        inverseExponent = 1 / response.exponent
    }

    /// A zone-filling target's signal over the detection threshold: 1 at the datasheet's range
    /// for its reflectance, more nearer. `rangeFactor` is the zone's (1 inner, less toward the
    /// corners).
    func strength(_ hit: RayHit, rangeFactor: Double) -> Double {
        guard hit.distanceM <= DepthPart.reachMaxM, hit.distanceM > 0 else { return 0 }
        let reachM = rangeAt54M * rangeFactor
        return hit.reflectance / 0.54 * pow(reachM / hit.distanceM, inverseExponent)
    }

    /// Probability of reporting a target of this strength: 90 % at 1, half at about 0.8, one
    /// in twenty at 0.6.
    static func detection(strength: Double) -> Double {
        guard strength > 0 else { return 0 }
        return 1 / (1 + exp(-(log(strength) / 0.1 + 2.197)))
    }

    /// The zone's report: the distance of the closest target it reports, or nil for no target.
    /// `hits` are the zone's rays, in any order; each target considered takes one draw.
    public func report(_ hits: inout [RayHit], rangeFactor: Double, random: inout SplitMix64) -> Double? {
        hits.sort { $0.distanceM < $1.distanceM }
        let rays = Double(hits.count)
        var start = 0
        while start < hits.count {
            var end = start
            var signal = 0.0
            var weighted = 0.0
            while end < hits.count && hits[end].distanceM - hits[start].distanceM < DepthPart.targetSeparationM {
                let strength = strength(hits[end], rangeFactor: rangeFactor)
                signal += strength
                weighted += strength * hits[end].distanceM
                end += 1
            }
            let coverage = Double(end - start) / rays
            if coverage >= coverageMin - 1e-9 && signal > 0 && random.unit() < DepthPart.detection(strength: signal / rays) {
                return weighted / signal
            }
            start = end
        }
        return nil
    }

    /// The range factor of a zone whose centre is `offset` of the way from the view's centre to
    /// its edge along each axis (0 centre, 1 edge).
    public static func rangeFactor(alongOffset: Double, acrossOffset: Double) -> Double {
        let squared = (alongOffset * alongOffset + acrossOffset * acrossOffset) / 2
        return 1 - (1 - cornerRangeFactor) * min(squared, 1)
    }
}
