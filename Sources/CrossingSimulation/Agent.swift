import CrossingCore

/// One crossing a perfect counter would report: what, which way, when. No identifier.
public struct TruthEvent: Sendable, Equatable {
    public var crossingClass: CrossingClass
    public var direction: Direction
    public var timeS: Double
    /// Length from rear to front, for scoring the lengths loops measure.
    public var lengthM: Double
}

/// Someone or something moving through a lane, in its own travel coordinate `s`: metres along
/// its direction of travel from the sensor's nadir.
struct Agent {
    enum Phase {
        case walking
        /// Standing still until the time given (a loiterer on the line).
        case waiting(untilS: Double)
        /// Going back the way it came (turned back before the line).
        case returning
    }

    var body: Body
    var direction: Direction
    var towardLastRow: Bool
    var acrossM: Double
    var s: Double
    var speedMps: Double
    /// How fast it actually moved over the last step, for the gap its follower keeps.
    var currentSpeedMps = 0.0
    /// Extent of the body along its travel direction, relative to `s`.
    var frontM: Double
    var rearM: Double
    var phase = Phase.walking
    /// Where it turns back, or nil if it does not.
    var turnBackAtS: Double?
    /// Where it stops on the line and for how long, or nil if it does not.
    var loiterAtS: Double?
    var loiterForS = 0.0
    var crossed = false
    /// Held by a gate until served.
    var gated = false
    var released = false
    var serviceDoneS: Double?
    /// Its surfaces' reflectance at 940 nm, for a depth sensor.
    var reflectance = 0.5

    var isVehicle: Bool { body.crossingClass.isVehicle }
    /// Half its width across the lane, from its reference line: bodies whose widths overlap
    /// across follow one another instead of passing.
    var halfWidthM = 0.3

    /// The body where the renderer wants it: lane coordinates, nadir at 0.
    var placed: PlacedBody {
        PlacedBody(
            body: body, alongM: towardLastRow ? s : -s, acrossM: acrossM, towardLastRow: towardLastRow, reflectance: reflectance)
    }
}

extension CrossingClass {
    /// Cars and buses drive in single file and keep a time gap.
    var isVehicle: Bool { self == .car || self == .bus }
}
