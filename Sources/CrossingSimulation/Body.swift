import CrossingCore

/// A box standing on (or raised above nothing: the renderer treats every box as solid down to
/// the floor) the lane, in metres, relative to the body's reference point. `along` runs in the
/// body's direction of travel, from its rear (negative) to its front (positive).
public struct Box: Sendable, Equatable {
    public var alongMin: Double
    public var alongMax: Double
    public var acrossMin: Double
    public var acrossMax: Double
    public var topM: Double

    public init(along: ClosedRange<Double>, across: ClosedRange<Double>, topM: Double) {
        alongMin = along.lowerBound
        alongMax = along.upperBound
        acrossMin = across.lowerBound
        acrossMax = across.upperBound
        self.topM = topM
    }
}

/// The shape of one object seen from above, as a few boxes. Depth sensors see surfaces only,
/// so a body is nothing more than where its top is.
public struct Body: Sendable, Equatable {
    public var crossingClass: CrossingClass
    public var boxes: [Box]
    /// Crossings it makes: 2 for an adult carrying a child on the hip, whose head shows beside
    /// the adult's (docs/counting.md, "What counts as what").
    public var people = 1

    public init(crossingClass: CrossingClass, boxes: [Box], people: Int = 1) {
        self.crossingClass = crossingClass
        self.boxes = boxes
        self.people = people
    }

    /// Length from rear to front, in metres.
    public var lengthM: Double {
        (boxes.map(\.alongMax).max() ?? 0) - (boxes.map(\.alongMin).min() ?? 0)
    }

    /// A walking person of the given stature: head above shoulders (about 0.82 of stature),
    /// torso and hips below, and what they carry or push.
    public static func person(statureM: Double, shoulderWidthM: Double = 0.46, carrying: Carrying? = nil) -> Body {
        let shoulderM = statureM * 0.82
        let halfShoulderM = shoulderWidthM / 2
        let headHalfM = 0.075 + statureM * 0.01
        var boxes = [
            Box(along: -0.12...0.12, across: -halfShoulderM...halfShoulderM, topM: shoulderM),
            Box(along: -0.10...0.10, across: -headHalfM...headHalfM, topM: statureM),
            Box(along: -0.15...0.15, across: -(halfShoulderM * 0.75)...(halfShoulderM * 0.75), topM: statureM * 0.55),
        ]
        switch carrying {
        case nil: break
        case .suitcase:
            // A wheeled case pulled behind, at the hand's side, handle up.
            boxes.append(Box(along: -0.75...(-0.35), across: (halfShoulderM - 0.1)...(halfShoulderM + 0.15), topM: 0.7))
        case .backpack:
            boxes.append(Box(along: -0.32...(-0.12), across: -0.16...0.16, topM: shoulderM * 0.98))
        case .pram:
            // Pushed ahead: the hood 1.0 m up, the handle at the hands.
            boxes.append(Box(along: 0.45...1.25, across: -0.3...0.3, topM: 1.0))
            boxes.append(Box(along: 0.25...0.45, across: -0.25...0.25, topM: 0.95))
        case .wheelchair:
            return wheelchair(statureM: statureM, shoulderWidthM: shoulderWidthM)
        case .childCarried:
            // On the hip: a small head and shoulders beside the adult's, a little lower.
            boxes.append(Box(along: -0.05...0.2, across: halfShoulderM...(halfShoulderM + 0.25), topM: shoulderM + 0.05))
            boxes.append(Box(along: 0.0...0.14, across: (halfShoulderM + 0.05)...(halfShoulderM + 0.19), topM: shoulderM + 0.25))
        }
        return Body(crossingClass: .pedestrian, boxes: boxes, people: carrying == .childCarried ? 2 : 1)
    }

    /// Someone in a wheelchair, propelling it: seated, the head at about half the stature above
    /// the 0.48 m seat, the chair 1.1 m long.
    static func wheelchair(statureM: Double, shoulderWidthM: Double) -> Body {
        let seatM = 0.48
        let headM = seatM + statureM * 0.52
        let shoulderM = seatM + statureM * 0.36
        let halfShoulderM = shoulderWidthM / 2
        return Body(crossingClass: .pedestrian, boxes: [
            Box(along: -0.5...0.6, across: -0.33...0.33, topM: 0.9),
            Box(along: -0.2...0.05, across: -halfShoulderM...halfShoulderM, topM: shoulderM),
            Box(along: -0.15...0.03, across: -0.085...0.085, topM: headM),
            Box(along: 0.05...0.55, across: -0.2...0.2, topM: 0.62),
        ])
    }

    /// A rider on a bicycle: wheels and frame `frameM` long (1.5-1.9 m, a child's to a tourer),
    /// the rider over the rear half, arms reaching forward and down to the handlebar.
    public static func bicycle(riderStatureM: Double, frameM: Double = 1.8) -> Body {
        let half = frameM / 2
        let seatedTopM = riderStatureM * 0.93
        let shoulderM = seatedTopM * 0.82
        let barM = 0.55 + riderStatureM * 0.25
        return Body(crossingClass: .bicycle, boxes: [
            Box(along: -half...half, across: -0.05...0.05, topM: 0.7 * frameM / 1.8),
            Box(along: (half - 0.45)...(half - 0.25), across: -0.3...0.3, topM: barM),
            Box(along: (half - 0.7)...(half - 0.45), across: -0.25...0.25, topM: (shoulderM + barM) / 2),
            Box(along: -0.3...(half - 0.7), across: -0.22...0.22, topM: shoulderM),
            Box(along: -0.1...0.1, across: -0.09...0.09, topM: seatedTopM),
        ])
    }

    /// A bicycle pushed by someone walking at its left: one bicycle crossing.
    public static func pushedBicycle(walkerStatureM: Double, shoulderWidthM: Double, frameM: Double) -> Body {
        let half = frameM / 2
        let walker = person(statureM: walkerStatureM, shoulderWidthM: shoulderWidthM)
        let shiftM = -(shoulderWidthM / 2 + 0.2)
        var boxes = walker.boxes.map { box in
            Box(along: (box.alongMin - 0.1)...(box.alongMax - 0.1),
                across: (box.acrossMin + shiftM)...(box.acrossMax + shiftM), topM: box.topM)
        }
        boxes.append(Box(along: -half...half, across: -0.05...0.05, topM: 0.7 * frameM / 1.8))
        boxes.append(Box(along: (half - 0.45)...(half - 0.25), across: -0.3...0.3, topM: 1.0))
        return Body(crossingClass: .bicycle, boxes: boxes)
    }

    /// A car or van: bonnet, cabin and boot.
    public static func car(lengthM: Double, widthM: Double, roofM: Double) -> Body {
        let half = lengthM / 2
        let sides = -widthM / 2...widthM / 2
        return Body(crossingClass: .car, boxes: [
            Box(along: -half...half, across: sides, topM: 0.95),
            Box(along: (-half + 0.9)...(half - 1.2), across: (sides.lowerBound + 0.1)...(sides.upperBound - 0.1), topM: roofM),
        ])
    }

    /// A bus or rigid truck: one tall box with a slightly lower front.
    public static func bus(lengthM: Double, widthM: Double, roofM: Double) -> Body {
        let half = lengthM / 2
        let sides = -widthM / 2...widthM / 2
        return Body(crossingClass: .bus, boxes: [
            Box(along: -half...(half - 0.3), across: sides, topM: roofM),
            Box(along: (half - 0.3)...half, across: sides, topM: roofM - 0.4),
        ])
    }

    /// A tractor unit and semi-trailer joined over the fifth wheel.
    public static func articulated(trailerLengthM: Double) -> Body {
        let sides = -1.25...1.25
        let cabRearM = 2.4
        return Body(crossingClass: .bus, boxes: [
            Box(along: 0...cabRearM, across: sides, topM: 3.1),
            Box(along: -1.0...0, across: -0.6...0.6, topM: 1.2),
            Box(along: (-1.0 - trailerLengthM)...(-0.8), across: sides, topM: 4.0),
        ])
    }
}
