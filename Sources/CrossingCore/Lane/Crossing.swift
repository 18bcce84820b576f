/// What crossed: the four classes every counter in this project reports.
public enum CrossingClass: UInt8, BitwiseCopyable, Sendable {
    case pedestrian = 0
    /// Bicycles, and anything ridden at bicycle size and speed.
    case bicycle = 1
    /// Cars and vans up to 2.5 m tall.
    case car = 2
    /// Buses, trucks, and anything taller than 2.5 m.
    case bus = 3

    /// Number of classes.
    public static let count = 4

    /// The name used in reports and lines.
    public var name: StaticString {
        switch self {
        case .pedestrian: "pedestrian"
        case .bicycle: "bicycle"
        case .car: "car"
        case .bus: "bus"
        }
    }
}

/// Which way a crossing went. Set per lane by its orientation, never by the order zones are read.
public enum Direction: UInt8, BitwiseCopyable, Sendable {
    /// Leaving the country.
    case outbound = 0
    /// Entering the country.
    case inbound = 1
    /// Counted, but which way is not known: a loop pair with one loop failed.
    case unknown = 2

    /// Number of directions.
    public static let count = 3

    /// The name used in reports and lines.
    public var name: StaticString {
        switch self {
        case .outbound: "outbound"
        case .inbound: "inbound"
        case .unknown: "unknown"
        }
    }
}

/// Index of a (class, direction) cell in tallies: `class * 3 + direction`.
@inline(__always)
func cellIndex(_ crossingClass: CrossingClass, _ direction: Direction) -> Int {
    Int(crossingClass.rawValue) &* Direction.count &+ Int(direction.rawValue)
}

/// One counted crossing. It carries no identifier: only what, which way, when, and how many
/// crossed together (people walking abreast that the sensor saw as one object).
public struct CrossingEvent: BitwiseCopyable, Sendable, Equatable {
    public var crossingClass: CrossingClass
    public var direction: Direction
    /// 1, or up to `ClassifierConfig.abreastMax` for a group walking abreast.
    public var people: UInt8
    public var timestampUs: UInt64

    public init(crossingClass: CrossingClass, direction: Direction, people: UInt8 = 1, timestampUs: UInt64) {
        precondition(people >= 1 && people <= ClassifierConfig.abreastMax)
        self.crossingClass = crossingClass
        self.direction = direction
        self.people = people
        self.timestampUs = timestampUs
    }
}
