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

    /// Length from rear to front, in metres.
    public var lengthM: Double {
        (boxes.map(\.alongMax).max() ?? 0) - (boxes.map(\.alongMin).min() ?? 0)
    }

    /// A walking person of the given stature: head above shoulders (about 0.82 of stature),
    /// torso and hips below.
    public static func person(statureM: Double) -> Body {
        let shoulderM = statureM * 0.82
        return Body(crossingClass: .pedestrian, boxes: [
            Box(along: -0.12...0.12, across: -0.23...0.23, topM: shoulderM),
            Box(along: -0.10...0.10, across: -0.09...0.09, topM: statureM),
            Box(along: -0.15...0.15, across: -0.17...0.17, topM: statureM * 0.55),
        ])
    }

    /// A rider on a bicycle: wheels and frame 1.8 m long, the rider over the rear half, arms
    /// reaching forward and down to the handlebar.
    public static func bicycle(riderStatureM: Double) -> Body {
        let seatedTopM = riderStatureM * 0.93
        let shoulderM = seatedTopM * 0.82
        return Body(crossingClass: .bicycle, boxes: [
            Box(along: -0.9...0.9, across: -0.05...0.05, topM: 0.7),
            Box(along: 0.45...0.65, across: -0.3...0.3, topM: 1.0),
            Box(along: 0.2...0.45, across: -0.25...0.25, topM: (shoulderM + 1.0) / 2),
            Box(along: -0.3...0.2, across: -0.22...0.22, topM: shoulderM),
            Box(along: -0.1...0.1, across: -0.09...0.09, topM: seatedTopM),
        ])
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
