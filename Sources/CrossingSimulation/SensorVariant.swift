/// A way the part might see a scene, applied to every depth sensor of a scenario: how much of a
/// zone a target must cover to be reported, what people wear, and the light. ST does not
/// publish the coverage rule, and clothing and light vary by site and hour, so the suite is
/// scored under variants spanning what is plausible (docs/scenario.md, "Sensor variants").
public struct SensorVariant: Sendable, Equatable {
    public var name: String
    public var coverageMin: Double
    public var targetReflectance: ClosedRange<Double>
    public var ambient: Ambient

    /// The variants the suite is scored under, from the most generous report to the most
    /// grudging.
    public static let all: [SensorVariant] = [
        // Any object one ray of nine meets is reported; light clothing; indoors.
        SensorVariant(name: "one-ray-light", coverageMin: 1.0 / 9, targetReflectance: 0.5...0.9, ambient: .dark),
        // A target must fill a third of the zone; dark clothing and hair; indoors.
        SensorVariant(name: "third-dark", coverageMin: 1.0 / 3, targetReflectance: 0.1...0.3, ambient: .dark),
        // Two rays of nine; clothing of every shade; the datasheet's 5 kLux of daylight.
        SensorVariant(name: "daylight", coverageMin: 2.0 / 9, targetReflectance: 0.15...0.8, ambient: .daylight),
    ]

    public static func named(_ name: String) -> SensorVariant? { all.first { $0.name == name } }
}

extension Scenario {
    /// The scenario with every depth sensor seeing it as `variant` says.
    public func applying(_ variant: SensorVariant) -> Scenario {
        var copy = self
        for index in copy.lanes.indices where copy.lanes[index].sensor != nil {
            copy.lanes[index].sensor!.coverageMin = variant.coverageMin
            copy.lanes[index].sensor!.targetReflectance = variant.targetReflectance
            copy.lanes[index].sensor!.ambient = variant.ambient
        }
        return copy
    }
}
