/// The crossing totals per minute, kept compact: each series (site, device, lane, class,
/// direction) is stored once and numbered, and a total is kept under its series number and
/// minute packed into one 64-bit key. A key-minute then costs a dictionary slot of two words,
/// where a key of five strings cost about 130 bytes and a hash of five strings per point.
///
/// A sequence of `(key, value)` pairs in no set order, like the dictionary it replaces.
public struct CrossingTotals: Sendable, Sequence, Equatable {
    /// What a series is: a `crossings` line's tags.
    public struct Series: Hashable, Sendable {
        public var site: String
        public var device: String
        public var lane: String
        public var crossingClass: String
        public var direction: String
    }

    public private(set) var series: [Series] = []
    private var numbers: [Series: UInt32] = [:]
    private var counts: [UInt64: Int64] = [:]

    public init() {}

    /// Key-minutes held.
    public var count: Int { counts.count }

    /// Adds `count` to the total of `key`'s series and minute.
    public mutating func add(_ count: Int64, to key: CrossingKey) {
        let series = Series(site: key.site, device: key.device, lane: key.lane, crossingClass: key.crossingClass, direction: key.direction)
        let number: UInt32
        if let known = numbers[series] {
            number = known
        } else {
            number = UInt32(self.series.count)
            self.series.append(series)
            numbers[series] = number
        }
        counts[Self.pack(series: number, minuteS: key.minuteS), default: 0] &+= count
    }

    /// The total of `key`'s series and minute, if any.
    public subscript(key: CrossingKey) -> Int64? {
        let series = Series(site: key.site, device: key.device, lane: key.lane, crossingClass: key.crossingClass, direction: key.direction)
        return numbers[series].flatMap { counts[Self.pack(series: $0, minuteS: key.minuteS)] }
    }

    /// The sum of the totals whose key `matches`.
    public func sum(where matches: (CrossingKey) -> Bool) -> Int64 {
        reduce(0) { matches($1.key) ? $0 &+ $1.value : $0 }
    }

    public var keys: [CrossingKey] { map(\.key) }
    public var values: [Int64] { Array(counts.values) }

    public func makeIterator() -> Iterator { Iterator(totals: self, inner: counts.makeIterator()) }

    public struct Iterator: IteratorProtocol {
        let totals: CrossingTotals
        var inner: Dictionary<UInt64, Int64>.Iterator

        public mutating func next() -> (key: CrossingKey, value: Int64)? {
            guard let (packed, count) = inner.next() else { return nil }
            return (totals.key(packed), count)
        }
    }

    public static func == (lhs: CrossingTotals, rhs: CrossingTotals) -> Bool {
        lhs.count == rhs.count && lhs.allSatisfy { rhs[$0.key] == $0.value }
    }

    /// A series number and a minute in one key: the number in the high 32 bits, the minute
    /// index (seconds / 60, which a 64-bit nanosecond time keeps well within 32 bits) in the low.
    static func pack(series: UInt32, minuteS: Int64) -> UInt64 {
        UInt64(series) << 32 | UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: minuteS.dividedFlooring(by: 60))))
    }

    func key(_ packed: UInt64) -> CrossingKey {
        let series = series[Int(packed >> 32)]
        let minuteS = Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: packed))) * 60
        return CrossingKey(
            site: series.site, device: series.device, lane: series.lane, crossingClass: series.crossingClass,
            direction: series.direction, minuteS: minuteS)
    }
}
