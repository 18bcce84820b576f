import CrossingCore
import Foundation

/// What a pair of inductive loops reads as vehicles pass over them: each loop's frequency
/// shift is the metal of the undercarriages over its sensitive zone, weighted by how close it
/// is to the road.
///
/// A loop senses fully over its own length and fades to nothing `fringeM` beyond each edge.
/// A metal surface at height h raises the shift by `fullShiftPpm` x (0.2 m / h)^1.5 x its
/// metal fraction x the share of the loop it covers: a car's floor at 0.2 m over a whole
/// loop reads 2500 ppm, a bicycle about 130, a semi-trailer's deck at 1 m about 160.
enum LoopRenderer {
    static let fringeM = 0.3
    static let fullShiftPpm = 2500.0

    /// One stretch of undercarriage, in the body's along coordinates (rear negative).
    struct Stretch {
        var fromM: Double
        var toM: Double
        var heightM: Double
        var metal: Double
    }

    /// The undercarriage of a body, by its kind.
    static func undercarriage(_ body: Body) -> [Stretch] {
        let rear = body.boxes.map(\.alongMin).min() ?? 0
        let front = body.boxes.map(\.alongMax).max() ?? 0
        switch body.crossingClass {
        case .pedestrian:
            return []
        case .bicycle:
            return [Stretch(fromM: rear, toM: front, heightM: 0.35, metal: 0.12)]
        case .car:
            return [
                Stretch(fromM: rear, toM: rear + 0.9, heightM: 0.35, metal: 0.6),
                Stretch(fromM: rear + 0.9, toM: front - 0.8, heightM: 0.2, metal: 1),
                Stretch(fromM: front - 0.8, toM: front, heightM: 0.35, metal: 0.6),
            ]
        case .bus where body.boxes.count == 3:
            // Tractor, its chassis under the fifth wheel, then the trailer's high deck with
            // the axle group at its rear.
            return [
                Stretch(fromM: 0, toM: front, heightM: 0.3, metal: 1),
                Stretch(fromM: -1, toM: 0, heightM: 0.5, metal: 0.8),
            ] + textured(fromM: rear + 3.5, toM: -1, heightM: 1.0, metal: 0.7) + [
                Stretch(fromM: rear + 0.8, toM: rear + 3.5, heightM: 0.5, metal: 1),
                Stretch(fromM: rear, toM: rear + 0.8, heightM: 1.0, metal: 0.7),
            ]
        case .bus:
            return textured(fromM: rear, toM: front, heightM: 0.32, metal: 1)
        }
    }

    /// Lengths of the alternating dense and sparse stretches of a long underbody: frame,
    /// tanks, axles and luggage bays. A loop reads them as a signal that keeps changing while
    /// the vehicle moves. The pattern is irregular, so that no loop length averages it flat.
    static let textureM = [0.7, 1.3, 0.9, 1.6, 0.8, 1.1]

    static func textured(fromM: Double, toM: Double, heightM: Double, metal: Double) -> [Stretch] {
        var stretches: [Stretch] = []
        var x = fromM
        while x < toM {
            let index = stretches.count
            let next = min(toM, x + textureM[index % textureM.count])
            stretches.append(Stretch(fromM: x, toM: next, heightM: heightM, metal: index % 2 == 0 ? metal : metal * 0.55))
            x = next
        }
        return stretches
    }

    /// Shift of the loop spanning `loFromM...loToM` (lane metres, nadir at 0) for the bodies.
    static func shiftPpm(loopFromM: Double, loopToM: Double, agents: [Agent]) -> Double {
        var shift = 0.0
        for agent in agents {
            // Most of a queue is far from the loops: skip it before building its underbody.
            let from = agent.towardLastRow ? agent.s + agent.rearM : -(agent.s + agent.frontM)
            let to = agent.towardLastRow ? agent.s + agent.frontM : -(agent.s + agent.rearM)
            if to < loopFromM - fringeM || from > loopToM + fringeM { continue }
            let stretches = undercarriage(agent.body)
            if stretches.isEmpty { continue }
            for stretch in stretches {
                // Lane coordinates of the stretch: travel toward the last row runs with them.
                let a = agent.towardLastRow ? agent.s + stretch.fromM : -(agent.s + stretch.toM)
                let b = agent.towardLastRow ? agent.s + stretch.toM : -(agent.s + stretch.fromM)
                if b < loopFromM - fringeM || a > loopToM + fringeM { continue }
                let cover = sensed(b, loopFromM, loopToM) - sensed(a, loopFromM, loopToM)
                shift += stretch.metal * fullShiftPpm * pow(0.2 / stretch.heightM, 1.5) * cover / (loopToM - loopFromM)
            }
        }
        return shift
    }

    /// The loop's sensitivity integrated from far before it up to `x`.
    static func sensed(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
        let f = fringeM
        if x <= lo - f { return 0 }
        if x <= lo { return (x - lo + f) * (x - lo + f) / (2 * f) }
        if x <= hi { return f / 2 + (x - lo) }
        if x <= hi + f { return f / 2 + (hi - lo) + (f * f - (hi + f - x) * (hi + f - x)) / (2 * f) }
        return f + (hi - lo)
    }
}
