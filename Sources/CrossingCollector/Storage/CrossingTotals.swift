/// The crossing totals, kept compact and rolled up as they age.
///
/// - Each series (site, device, lane, class, direction) is stored once and numbered, and a
///   total is kept under its series number and its interval's index packed into one 64-bit
///   key: a total costs a dictionary slot of two words, where a key of five strings cost about
///   130 bytes and a hash of five strings per point.
/// - Totals are per minute while their minute is within `minuteHorizonS` of the newest minute
///   counted, per hour after that, and per day once past `hourHorizonS`. So what is held grows
///   with a week of minutes and a year of hours, not with the history (docs/collector-api.md,
///   "Rollups"). Sums are kept exactly; only the time resolution of old totals goes.
///
/// A sequence of `(key, value)` pairs in no set order, each key's `minuteS` the start of its
/// minute, hour or day.
public struct CrossingTotals: Sendable, Sequence, Equatable {
    /// What a series is: a `crossings` line's tags.
    public struct Series: Hashable, Sendable {
        public var site: String
        public var device: String
        public var lane: String
        public var crossingClass: String
        public var direction: String
    }

    /// The resolutions, finest first: the length of an interval of each, seconds.
    public enum Resolution: Int, CaseIterable, Sendable {
        case minute = 60
        case hour = 3600
        case day = 86_400
    }

    public static let minuteHorizonDefaultS: Int64 = 7 * 86_400
    public static let hourHorizonDefaultS: Int64 = 365 * 86_400

    public private(set) var series: [Series] = []
    private var numbers: [Series: UInt32] = [:]
    /// Per resolution, finest first: totals by packed series and interval index.
    private var tiers = Resolution.allCases.map(TotalsTier.init)
    /// Minutes older than this, before the newest minute counted, are held per hour.
    public private(set) var minuteHorizonS: Int64
    /// Hours older than this are held per day.
    public private(set) var hourHorizonS: Int64
    /// The newest minute counted, s since 1970.
    public private(set) var newestMinuteS: Int64 = .min
    /// The newest minute when the last roll-up ran: ages are measured from it, so that where
    /// an interval's new totals go does not change between roll-ups.
    public private(set) var baseMinuteS: Int64 = .min
    /// The day the last roll-up ran in: one runs when the newest minute enters another day.
    private var rolledDay: Int64 = .min
    /// Tables holding totals past their tier's horizon, oldest first, being swept for them a
    /// few slots per point (`age`).
    private var aging: [Aging] = []

    private struct Aging: Equatable, Sendable {
        var tier: Int
        var span: Int64
        var sweep = TotalsTable.Sweep()
    }

    public init(minuteHorizonS: Int64 = minuteHorizonDefaultS, hourHorizonS: Int64 = hourHorizonDefaultS) {
        precondition(minuteHorizonS > 0 && hourHorizonS >= minuteHorizonS)
        self.minuteHorizonS = minuteHorizonS
        self.hourHorizonS = hourHorizonS
    }

    /// Totals held, over every resolution.
    public var count: Int { tiers.reduce(0) { $0 + $1.count } }

    /// Totals held at `resolution`.
    public func count(at resolution: Resolution) -> Int { tiers[Self.tier(resolution)].count }

    /// Adds `count` to the total of `key`'s series, in its minute or, when that has aged past a
    /// horizon, its hour or day. A minute more than an hour after `receivedS` (a writer's clock
    /// far ahead) does not move the newest minute, so it cannot age everything else at once.
    public mutating func add(_ count: Int64, to key: CrossingKey, receivedS: Int64 = .max) {
        add(count, series: number(of: Series(key)), minuteS: key.minuteS, receivedS: receivedS)
    }

    /// The number of `series`, given now if it has none.
    mutating func number(of series: Series) -> UInt32 { numbers[series] ?? intern(series) }

    /// `add(_:to:receivedS:)` for a series already numbered.
    mutating func add(_ count: Int64, series number: UInt32, minuteS: Int64, receivedS: Int64) {
        let latestS = receivedS > Int64.max - 3600 ? Int64.max : receivedS + 3600
        if minuteS > newestMinuteS && minuteS <= latestS { newestMinuteS = minuteS }
        add(count, series: number, timeS: minuteS, at: resolution(of: minuteS))
        let day = newestMinuteS.dividedFlooring(by: 86_400)
        if day != rolledDay {
            rolledDay = day
            rollUp()
        }
        if !aging.isEmpty { age(slotsMax: Self.agingSlotsPerPoint) }
    }

    /// Slots of aging tables looked at per point counted. A point makes at most one new
    /// minute total and a table is more than a third full (unless its span counted less than
    /// the one before), so a day's tables are swept within a few hours' points, long before
    /// the next day ages.
    static let agingSlotsPerPoint = 64

    /// Holds totals at new horizons, rolling up what is now past them (a finer resolution
    /// cannot come back: totals already rolled up stay so).
    public mutating func setHorizons(minuteS: Int64, hourS: Int64) {
        precondition(minuteS > 0 && hourS >= minuteS)
        minuteHorizonS = minuteS
        hourHorizonS = hourS
        rollUp()
        age(slotsMax: .max)
    }

    /// Where a total of `timeS` belongs until the next roll-up.
    func resolution(of timeS: Int64) -> Resolution {
        guard baseMinuteS != .min else { return .minute }
        let age = baseMinuteS - timeS
        return age > hourHorizonS ? .day : age > minuteHorizonS ? .hour : .minute
    }

    /// Measures ages from the newest minute now, and queues for `age` the tables that hold
    /// totals past their tier's horizon.
    ///
    /// Only the tables whose span starts before the horizon are queued (`TotalsTier`). Their
    /// totals move a few per point counted: a fleet's day of minutes is hundreds of thousands
    /// of totals, which moved at once would hold up every ack for a tenth of a second (more
    /// when the newest minute leaps days ahead).
    mutating func rollUp() {
        baseMinuteS = newestMinuteS
        queueAgedSpans()
    }

    /// Queues every table whose span starts before its tier's horizon, oldest first.
    private mutating func queueAgedSpans() {
        guard baseMinuteS != .min else { return }
        for resolution in [Resolution.minute, .hour] {
            let tier = Self.tier(resolution)
            guard let cutoffS = cutoffS(resolution) else { continue }
            for span in tiers[tier].spans.keys.sorted() where tiers[tier].bounds(of: span).startS < cutoffS {
                // A span queued before starts its sweep over: more of it may have aged since.
                if let queued = aging.firstIndex(where: { $0.tier == tier && $0.span == span }) {
                    aging[queued].sweep = TotalsTable.Sweep()
                } else {
                    aging.append(Aging(tier: tier, span: span))
                }
            }
        }
    }

    /// The start of the oldest interval of `resolution` within its horizon: those before it
    /// are past. Nil when the horizon reaches before all time.
    private func cutoffS(_ resolution: Resolution) -> Int64? {
        let (cutoffS, before) = baseMinuteS.subtractingReportingOverflow(resolution == .minute ? minuteHorizonS : hourHorizonS)
        return before ? nil : cutoffS
    }

    /// Moves the totals past their horizon in the tables queued by `rollUp` to the coarser
    /// resolution, looking at up to `slotsMax` slots of their tables. Until a total moves it
    /// stays where it was, so every sum is right at every point.
    mutating func age(slotsMax: Int) {
        var slots = slotsMax
        while slots > 0, let first = aging.first {
            // What is taken waits in a fixed buffer: the tier cannot be added to while swept.
            var taken = InlineArray<32, (packed: UInt64, count: Int64)>(repeating: (0, 0))
            let chunk = Swift.min(slots, taken.count)
            slots -= chunk
            let resolution = Self.resolutions[first.tier]
            let cutoffS = cutoffS(resolution) ?? .min
            var sweep = first.sweep
            var takenCount = 0
            let through = tiers[first.tier].sweep(
                span: first.span, &sweep, budget: chunk, picks: { Self.timeS($0, resolution) < cutoffS }
            ) { packed, count in
                taken[takenCount] = (packed, count)
                takenCount += 1
            }
            for index in 0..<takenCount { move(taken[index].count, packed: taken[index].packed, from: resolution) }
            if through { aging.removeFirst() } else { aging[0].sweep = sweep }
        }
    }

    /// Adds a total taken out of `resolution`'s tier where its interval now belongs.
    private mutating func move(_ count: Int64, packed: UInt64, from resolution: Resolution) {
        let timeS = Self.timeS(packed, resolution)
        add(count, series: UInt32(packed >> 32), timeS: timeS, at: self.resolution(of: timeS))
    }

    private mutating func add(_ count: Int64, series: UInt32, timeS: Int64, at resolution: Resolution) {
        tiers[Self.tier(resolution)].add(count, to: Self.pack(series: series, timeS: timeS, resolution))
    }

    /// A total held at `resolution` as it is, for a snapshot being read back.
    mutating func restore(_ count: Int64, series number: UInt32, index: Int32, at resolution: Resolution) {
        tiers[Self.tier(resolution)].add(count, to: Self.pack(series: number, index: index))
    }

    /// Numbers a series not seen before: its place in `series`. A snapshot being read back
    /// gives its series in their order.
    @discardableResult
    mutating func intern(_ series: Series) -> UInt32 {
        let number = UInt32(self.series.count)
        self.series.append(series)
        numbers[series] = number
        return number
    }

    /// The newest minute and the one ages are measured from, for a snapshot being read back
    /// into totals made with its horizons, after its totals: the totals go on as if never
    /// saved, and the tables that were aging age on.
    mutating func restore(newestMinuteS: Int64, baseMinuteS: Int64) {
        self.newestMinuteS = newestMinuteS
        self.baseMinuteS = baseMinuteS
        rolledDay = baseMinuteS == .min ? .min : baseMinuteS.dividedFlooring(by: 86_400)
        queueAgedSpans()
    }

    /// Every total at `resolution`: its series number, interval index and count.
    func entries(at resolution: Resolution) -> some Sequence<(series: UInt32, index: Int32, count: Int64)> {
        tiers[Self.tier(resolution)].lazy.map { (UInt32($0.key >> 32), Self.index($0.key), $0.value) }
    }

    /// The total of `key`'s series and interval: its minute's, or else the hour's or the day's
    /// starting at its `minuteS`.
    public subscript(key: CrossingKey) -> Int64? {
        guard let number = numbers[Series(key)] else { return nil }
        for resolution in Self.resolutions {
            let timeS = key.minuteS.dividedFlooring(by: Int64(resolution.rawValue)) * Int64(resolution.rawValue)
            guard timeS == key.minuteS, let count = tiers[Self.tier(resolution)][Self.pack(series: number, timeS: timeS, resolution)] else {
                continue
            }
            return count
        }
        return nil
    }

    /// The sum of the totals whose key `matches`.
    public func sum(where matches: (CrossingKey) -> Bool) -> Int64 {
        reduce(0) { matches($1.key) ? $0 &+ $1.value : $0 }
    }

    /// Every key, made whole: for tests and small stores (a key is five strings).
    public var keys: [CrossingKey] { map(\.key) }
    /// Every total, in no set order.
    public var values: [Int64] { tiers.flatMap { $0.map(\.value) } }

    public func makeIterator() -> Iterator { Iterator(totals: self) }

    public struct Iterator: IteratorProtocol {
        let totals: CrossingTotals
        var tier = 0
        var inner: TotalsTier.Iterator

        init(totals: CrossingTotals) {
            self.totals = totals
            inner = totals.tiers[0].makeIterator()
        }

        public mutating func next() -> (key: CrossingKey, value: Int64)? {
            while true {
                if let (packed, count) = inner.next() { return (totals.key(packed, CrossingTotals.resolutions[tier]), count) }
                tier += 1
                guard tier < totals.tiers.count else { return nil }
                inner = totals.tiers[tier].makeIterator()
            }
        }
    }

    /// The same totals at the same resolutions, whatever the series' numbering.
    public static func == (lhs: CrossingTotals, rhs: CrossingTotals) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for tier in lhs.tiers.indices {
            for (packed, count) in lhs.tiers[tier] {
                guard let number = rhs.numbers[lhs.series[Int(packed >> 32)]],
                    rhs.tiers[tier][Self.pack(series: number, index: Self.index(packed))] == count
                else { return false }
            }
        }
        return true
    }

    /// The resolutions in the order of `tiers`.
    static let resolutions = Resolution.allCases

    /// The place of `resolution`'s totals in `tiers`, without building `allCases` on every
    /// point.
    static func tier(_ resolution: Resolution) -> Int {
        switch resolution {
        case .minute: 0
        case .hour: 1
        case .day: 2
        }
    }

    /// A series number and an interval in one key: the number in the high 32 bits, the
    /// interval's index (seconds / its length, which a 64-bit nanosecond time keeps well within
    /// 32 bits) in the low.
    static func pack(series: UInt32, timeS: Int64, _ resolution: Resolution) -> UInt64 {
        pack(series: series, index: Int32(truncatingIfNeeded: timeS.dividedFlooring(by: Int64(resolution.rawValue))))
    }

    static func pack(series: UInt32, index: Int32) -> UInt64 {
        UInt64(series) << 32 | UInt64(UInt32(bitPattern: index))
    }

    /// The interval index of a packed key.
    static func index(_ packed: UInt64) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: packed))
    }

    static func timeS(_ packed: UInt64, _ resolution: Resolution) -> Int64 {
        Int64(index(packed)) * Int64(resolution.rawValue)
    }

    func key(_ packed: UInt64, _ resolution: Resolution) -> CrossingKey {
        let series = series[Int(packed >> 32)]
        return CrossingKey(
            site: series.site, device: series.device, lane: series.lane, crossingClass: series.crossingClass,
            direction: series.direction, minuteS: Self.timeS(packed, resolution))
    }
}

extension CrossingTotals.Series {
    /// The series of `key`.
    init(_ key: CrossingKey) {
        self.init(site: key.site, device: key.device, lane: key.lane, crossingClass: key.crossingClass, direction: key.direction)
    }
}
