import Foundation

/// What people carry or push through a walkway, drawn per person from a traffic entry's
/// `carrying` shares (docs/scenario.md, "A natural crowd"; docs/counting.md says what each
/// counts as).
public enum Carrying: String, Sendable, CaseIterable {
    case suitcase
    case backpack
    case pram
    case wheelchair
    case childCarried = "child_carried"
}

/// The people of a scene, drawn from published measurements, never from the counter's settings
/// (docs/scenario.md, "A natural crowd", cites each figure).
enum Crowd {
    /// A bicycle pushed moves at most this fast: a brisk walk.
    static let walkingSpeedMps = 1.5

    /// Adult stature: half men, mean 1.76 m, SD 0.07 m; half women, mean 1.645 m, SD 0.065 m
    /// (NCD-RisC 2016, Russia, for the means; a within-population SD of 6.5-7 cm), cut at 2.5 SD.
    /// A child is 0.9-1.4 m (WHO growth references: about 3 to 10 years).
    static func stature(child: Bool, random: inout SplitMix64) -> Double {
        if child { return random.uniform(0.9...1.4) }
        let man = random.chance(0.5)
        let (meanM, sdM) = man ? (1.76, 0.07) : (1.645, 0.065)
        let z = max(-2.5, min(2.5, random.normalPair().0))
        return meanM + z * sdM
    }

    /// Shoulder width across the arms (bideltoid breadth), about a quarter of stature with a
    /// 5 % spread: 0.41-0.50 m for adults, as Fruin's 0.46 m design body.
    static func shoulderWidthM(statureM: Double, random: inout SplitMix64) -> Double {
        statureM * 0.26 * max(0.85, min(1.15, 1 + 0.05 * random.normalPair().0))
    }

    /// Centre-to-centre distance of two people walking abreast: about 0.6 m for couples to
    /// 0.8 m for colleagues (Zanlungo et al. 2017), here 0.6-0.85 m.
    static func abreastSpacingM(random: inout SplitMix64) -> Double {
        random.uniform(0.6...0.85)
    }
}
