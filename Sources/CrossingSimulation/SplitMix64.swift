import Foundation

/// The simulator's only source of randomness: SplitMix64, seeded explicitly, so the same seed
/// gives byte-identical scenes on every machine.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in `range`.
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// Two independent standard normal deviates, by Box-Muller.
    public mutating func normalPair() -> (Double, Double) {
        let radius = (-2 * log(max(unit(), 0x1p-53))).squareRoot()
        let angle = 2 * Double.pi * unit()
        return (radius * cos(angle), radius * sin(angle))
    }

    /// Exponentially distributed with the given mean: gaps between Poisson arrivals.
    public mutating func exponential(mean: Double) -> Double {
        -log(max(1 - unit(), 0x1p-53)) * mean
    }
}

/// So that emulated hardware can draw its faults from the same seeded source.
extension SplitMix64: RandomNumberGenerator {}
