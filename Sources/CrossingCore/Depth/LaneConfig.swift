/// Which end of the grid is "out of the country".
public enum LaneOrientation: UInt8, Sendable {
    /// Objects moving from row 0 toward the last row are outbound.
    case outboundTowardLastRow = 0
    /// Objects moving from the last row toward row 0 are outbound.
    case outboundTowardFirstRow = 1
}

/// Thresholds that decide the class of a counted object.
public struct ClassifierConfig: Sendable, Equatable {
    /// Anything whose top is at least this high is a bus (bus, truck, tall van).
    public var busHeightMinMm: UInt16 = 2500
    /// Nothing lower than this is counted: the shortest walker is a small child, about 0.87 m
    /// at two years (WHO growth standards), while a wheeled case is about 0.7 m. A case that
    /// drifts apart from its owner's blob is then no crossing of its own.
    public var countHeightMinMm: UInt16 = 800
    /// Objects whose top (within 80 % of their highest point) is at least this wide across
    /// the lane, and at least this large, are cars: a roof, not two heads side by side.
    public var carWidthMinMm: UInt16 = 1300
    public var carTopAreaMinDm2: UInt16 = 150
    /// A top this long, and as large, is a car's roof too, however narrow it reads: a roof
    /// 1.6 m wide spans two zone columns, which at some heights is 10 mm under
    /// `carWidthMinMm`. No walker's top is 2 m long.
    public var carTopLengthMinMm: UInt16 = 2000
    /// Objects whose surfaces above half their height (traced down their rays) reach at least
    /// this far ahead of the head, in the direction they move, under a top (within 80 % of
    /// their highest point) shorter than `bicycleTopLengthMaxMm`, are bicycles (when not cars
    /// or buses), if narrow (see `abreastTopWidthMinMm` and `abreastWidthMinMm`): a rider's
    /// arms and handlebar. Only what is high and ahead counts: a bicycle's wheels and frame
    /// are too thin for a zone to report, and a case pulled behind a walker (low for an adult,
    /// above half the height of a child) or a backpack trails. Fitted on seeds 1-25
    /// (docs/counting.md, "Thresholds").
    public var bicycleReachMinMm: UInt16 = 600
    public var bicycleTopLengthMaxMm: UInt16 = 900
    /// Objects whose reach ahead averages at least this over the frames their blob was alone
    /// (at least `tracedFramesMin` of them) are bicycles, if narrow: a bicycle held to walking
    /// pace behind a walker, which neither its speed nor one frame gives away. Fitted on seeds
    /// 1-25 (docs/counting.md, "Thresholds").
    public var bicycleReachMeanMinMm: UInt16 = 350
    /// At walking pace (under `bicycleSpeedMinMmPerS`), objects reaching at least this far
    /// ahead of the head in some frame with no neighbour are pedestrians: a pram pushed ahead
    /// ends 1.1-1.45 m in front of its pusher's head, a handlebar at most about 0.8 m in front
    /// of a rider's, or of the walker's beside a bicycle pushed. Fitted on seeds 1-25
    /// (docs/counting.md, "Thresholds").
    public var pushedReachMinMm: UInt16 = 1100
    /// Objects averaging at least this speed along the lane, from first seen to the crossing,
    /// are bicycles (when not cars or buses). The average includes the slow start while an
    /// object comes into view, so it reads well under the true speed, the more so in a short
    /// view. Fitted on seeds 1-25 (docs/counting.md, "Thresholds").
    public var bicycleSpeedMinMmPerS: UInt16 = 1400
    /// A pedestrian object at least this wide (surfaces traced down their rays) is two people
    /// abreast, and each further `abreastPersonWidthMm` one more, up to `abreastMax`. 0 turns
    /// this off. Single people measure 0.35-0.9 m (rarely more, near the edge of the view),
    /// two abreast mostly 0.9-1.35 m: the threshold errs toward counting a pair as one.
    public var abreastWidthMinMm: UInt16 = 1000
    /// The same from the width of the object's top (zones within 80 % of its highest point):
    /// one person's spans at most about 0.73 m, two abreast 0.9 m and more. Either width counts
    /// more than one only if its mean over the frames with nobody beside reaches the threshold
    /// too.
    public var abreastTopWidthMinMm: UInt16 = 850
    public var abreastPersonWidthMm: UInt16 = 550
    public static let abreastMax: UInt8 = 3
    /// Frames with no neighbour in the way a track needs before its means (traced length, top
    /// and true width) are trusted.
    public static let tracedFramesMin: UInt8 = 8
    /// A rider looks long with a short top in most frames in the middle of the view; a walker
    /// stretched by a neighbour's edge in a few. The length rule asks for at least one frame in
    /// this many of a leg's.
    public static let riderFramesShareDivisor = 8

    public init() {}
}

/// The configuration of one depth-sensor lane.
///
/// Rows of the grid run along the lane, columns across it. All distances are in millimetres.
public struct LaneConfig: Sendable, Equatable {
    /// Grid side: 4 or 8.
    public var side: UInt8 = 8
    /// Height of the sensor above the floor. 3 m over a corridor is where the part sees a
    /// walker's head across about 1.1 m (Hardware/depth-sensor.md).
    public var mountHeightMm: UInt16 = 3000
    /// Width of the field of view on the floor (square grid): 2 x height x tan(fov / 2), the
    /// part's 45 degrees.
    public var floorSpanMm: UInt16 = 2485
    public var orientation: LaneOrientation = .outboundTowardLastRow
    /// Counting line, as thousandths of the grid length from row 0's edge.
    public var linePermille: UInt16 = 500
    /// Half-width of the neutral band around the line (hysteresis), in thousandths of the grid.
    public var bandHalfWidthPermille: UInt16 = 125
    /// A zone is part of an object when it rises at least this far above the floor.
    public var objectMinHeightMm: UInt16 = 300
    /// Valid readings a zone needs before its floor is known and it can take part.
    public var learnFrames: UInt8 = 16
    /// A zone occupied longer than this is flagged in health. It is never absorbed into the floor.
    public var stuckLimitS: UInt32 = 3600
    /// Frames an invalid zone keeps its last height before it counts as empty.
    public var holdFramesMax: UInt8 = 3
    /// Consecutive matched frames before a track is confirmed and may count.
    public var confirmHits: UInt8 = 3
    /// Frames a confirmed track may go unseen before it is dropped.
    public var lostFramesMax: UInt8 = 8
    /// Fastest object the tracker will associate across frames.
    public var objectSpeedMaxMmPerS: UInt16 = 15000
    /// A second peak becomes its own object when it stands this far above the saddle. A head
    /// stands about 300 mm above the shoulders, but a zone straddling a head and a shoulder
    /// reads the head, so the valley between two people is often shallower; noise is 15-30 mm
    /// (4 sigma at 30 mm), so the threshold stays well above it (docs/counting.md, "Thresholds").
    public var peakProminenceMm: UInt16 = 120
    /// Peaks lower than this never split off (bags, handlebars, bonnets).
    public var splitPeakMinMm: UInt16 = 1100
    /// Two bus-tall peaks split only when the saddle between them is lower than this, so a
    /// trailer stays with its truck while two buses nose to tail still separate.
    public var tallSplitSaddleMaxMm: UInt16 = 700
    /// Length of an interval bin.
    public var binIntervalMs: UInt32 = 60_000
    public var classifier = ClassifierConfig()

    public init() {}

    /// The first field that is out of range, or nil when the configuration is usable.
    public func validate() -> ConfigError? {
        if side != 4 && side != 8 { return ConfigError(field: "side", reason: "must be 4 or 8") }
        if mountHeightMm < 1500 || mountHeightMm > 12000 {
            return ConfigError(field: "mountHeightMm", reason: "must be 1500...12000")
        }
        if floorSpanMm < 500 || floorSpanMm > 30000 {
            return ConfigError(field: "floorSpanMm", reason: "must be 500...30000")
        }
        if linePermille < 200 || linePermille > 800 {
            return ConfigError(field: "linePermille", reason: "must be 200...800")
        }
        if bandHalfWidthPermille < 20 || bandHalfWidthPermille > 180 {
            return ConfigError(field: "bandHalfWidthPermille", reason: "must be 20...180")
        }
        if objectMinHeightMm < 100 || objectMinHeightMm >= mountHeightMm / 2 {
            return ConfigError(field: "objectMinHeightMm", reason: "must be 100 and under half the mount height")
        }
        if learnFrames == 0 || learnFrames > 200 {
            return ConfigError(field: "learnFrames", reason: "must be 1...200")
        }
        if stuckLimitS < 60 { return ConfigError(field: "stuckLimitS", reason: "must be at least 60") }
        if holdFramesMax > 30 { return ConfigError(field: "holdFramesMax", reason: "must be 0...30") }
        if confirmHits == 0 || confirmHits > 10 {
            return ConfigError(field: "confirmHits", reason: "must be 1...10")
        }
        if lostFramesMax == 0 || lostFramesMax > 60 {
            return ConfigError(field: "lostFramesMax", reason: "must be 1...60")
        }
        if objectSpeedMaxMmPerS < 1000 {
            return ConfigError(field: "objectSpeedMaxMmPerS", reason: "must be at least 1000")
        }
        if peakProminenceMm < 50 { return ConfigError(field: "peakProminenceMm", reason: "must be at least 50") }
        if binIntervalMs < 1000 || binIntervalMs > 86_400_000 {
            return ConfigError(field: "binIntervalMs", reason: "must be 1000...86400000")
        }
        if classifier.abreastPersonWidthMm < 200 {
            return ConfigError(field: "classifier.abreastPersonWidthMm", reason: "must be at least 200")
        }
        if classifier.countHeightMinMm >= classifier.busHeightMinMm {
            return ConfigError(field: "classifier.countHeightMinMm", reason: "must be under busHeightMinMm")
        }
        if classifier.busHeightMinMm <= objectMinHeightMm {
            return ConfigError(field: "classifier.busHeightMinMm", reason: "must exceed objectMinHeightMm")
        }
        return nil
    }
}

/// A configuration field that is out of range, and why.
public struct ConfigError: Error, Equatable, Sendable {
    public var field: StaticString
    public var reason: StaticString

    public init(field: StaticString, reason: StaticString) {
        self.field = field
        self.reason = reason
    }

    public static func == (lhs: ConfigError, rhs: ConfigError) -> Bool {
        staticStringsEqual(lhs.field, rhs.field) && staticStringsEqual(lhs.reason, rhs.reason)
    }
}
