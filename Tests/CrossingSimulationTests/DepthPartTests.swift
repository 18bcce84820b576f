import CrossingSimulation
import Testing

/// The simulated part reports a zone as the datasheet's figures say it would
/// (Hardware/depth-sensor.md, "The part's envelope").
@Suite("The depth part's zone reports")
struct DepthPartTests {
    static func zone(_ surfaces: [(distanceM: Double, reflectance: Double, rays: Int)]) -> [RayHit] {
        surfaces.flatMap { surface in
            Array(repeating: RayHit(distanceM: surface.distanceM, reflectance: surface.reflectance), count: surface.rays)
        }
    }

    /// How often a zone is reported, over `trials` frames, and the mean distance reported.
    static func reported(
        _ part: DepthPart, _ hits: [RayHit], rangeFactor: Double = 1, trials: Int = 2000
    ) -> (share: Double, meanM: Double) {
        var random = SplitMix64(seed: 7)
        var count = 0
        var sum = 0.0
        for _ in 0..<trials {
            var zone = hits
            if let distance = part.report(&zone, rangeFactor: rangeFactor, random: &random) {
                count += 1
                sum += distance
            }
        }
        return (Double(count) / Double(trials), count == 0 ? 0 : sum / Double(count))
    }

    @Test("A zone-filling target is reported nine times in ten at the datasheet's range, rarely beyond")
    func rangeByReflectanceAndLight() {
        let dark = DepthPart(grid: 8, ambient: .dark, coverageMin: 0.2)
        let daylight = DepthPart(grid: 8, ambient: .daylight, coverageMin: 0.2)
        // Table 17, inner zones: 54 % at 3.3 m dark, 1.4 m in 5 kLux; 17 % at 2.45 m dark.
        for (part, distanceM, reflectance) in [(dark, 3.3, 0.54), (daylight, 1.4, 0.54), (dark, 2.45, 0.17)] {
            let atRange = Self.reported(part, Self.zone([(distanceM, reflectance, 9)])).share
            let beyond = Self.reported(part, Self.zone([(distanceM * 1.3, reflectance, 9)])).share
            #expect(abs(atRange - 0.9) < 0.03, "\(part.ambient) \(reflectance) at \(distanceM) m: \(atRange)")
            #expect(beyond < 0.1)
        }
        // Nothing beyond 4 m, however bright.
        #expect(Self.reported(dark, Self.zone([(4.1, 1.0, 9)])).share == 0)
    }

    @Test("The coverage rule: a head filling one ray in nine shows under a one-ray rule, never under a third")
    func coverage() {
        let head = Self.zone([(1.2, 0.5, 1), (3.0, 0.3, 8)])
        let generous = Self.reported(DepthPart(grid: 8, ambient: .dark, coverageMin: 1.0 / 9), head)
        let grudging = Self.reported(DepthPart(grid: 8, ambient: .dark, coverageMin: 1.0 / 3), head)
        #expect(generous.share > 0.99 && abs(generous.meanM - 1.2) < 0.01)
        // Under the third rule the head is not reported; what is, is the floor behind it.
        #expect(grudging.meanM > 2.9)
    }

    @Test("Surfaces within 600 mm merge into one target at their signal-weighted distance; the closest target comes first")
    func targets() {
        let part = DepthPart(grid: 8, ambient: .dark, coverageMin: 0.1)
        let merged = Self.reported(part, Self.zone([(1.2, 0.5, 3), (1.6, 0.5, 6)]))
        #expect(merged.meanM > 1.2 && merged.meanM < 1.6)
        let separate = Self.reported(part, Self.zone([(1.2, 0.5, 3), (2.0, 0.5, 6)]))
        #expect(abs(separate.meanM - 1.2) < 0.01)
    }

    @Test("Corner zones reach less far than inner ones")
    func corners() {
        let part = DepthPart(grid: 8, ambient: .dark, coverageMin: 0.2)
        let floor = Self.zone([(2.7, 0.3, 9)])
        let corner = DepthPart.rangeFactor(alongOffset: 0.875, acrossOffset: 0.875)
        #expect(Self.reported(part, floor, rangeFactor: corner).share < Self.reported(part, floor).share)
    }
}
