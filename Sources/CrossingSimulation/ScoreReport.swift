import CrossingCore

/// Counted against truth for a scenario run: per lane x class x direction, the class confusion,
/// and the baseline's counts when it ran.
public struct ScoreReport: Sendable {
    public struct Row: Sendable, Equatable {
        public var lane: String
        public var crossingClass: CrossingClass
        public var direction: Direction
        public var truth: Int
        public var counted: Int
        /// Event by event (`ScoreReport.match`): true crossings of this row matched to a counted
        /// one of the same class; true ones matched to a counted one of another class; true ones
        /// no counted crossing matched; counted crossings of this row no true one matched.
        /// `matched + misclassified + missed == truth`. Net `counted - truth` lets a miss and
        /// an extra cancel; these do not.
        public var matched = 0
        public var misclassified = 0
        public var missed = 0
        public var extra = 0
        /// For loop lanes: the median and 90th percentile of |measured - true| / true length
        /// over the crossings matched to a true one; nil elsewhere or with no match.
        public var lengthErrorMedian: Double? = nil
        public var lengthErrorP90: Double? = nil
    }

    /// Matched pairs by (truth class, counted class), plus what was missed and what was extra.
    public struct Confusion: Sendable {
        public var matched: [CrossingClass: [CrossingClass: Int]] = [:]
        public var missed: [CrossingClass: Int] = [:]
        public var extra: [CrossingClass: Int] = [:]

        public var matchedTotal: Int { matched.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
        public var matchedSameClass: Int { matched.reduce(0) { $0 + ($1.value[$1.key] ?? 0) } }
    }

    public let rows: [Row]
    public let baselineRows: [Row]?
    public let confusion: Confusion

    public static let classes: [CrossingClass] = [.pedestrian, .bicycle, .car, .bus]
    public static let directions: [Direction] = [.outbound, .inbound]

    public init(results: [LaneResult]) {
        var rows: [Row] = []
        var baselineRows: [Row] = []
        var confusion = Confusion()
        for result in results {
            let present = Set(result.spec.traffic.map(\.crossingClass))
            var matching = Matching()
            for direction in ScoreReport.directions {
                matching.add(ScoreReport.match(
                    truth: result.truth.filter { $0.direction == direction },
                    counted: result.counted.filter { $0.direction == direction }, into: &confusion))
            }
            // Counts of unknown direction (a loop pair with a loop failed) have no true
            // counterpart to match; they show in their own rows and as extra in the confusion.
            let unknown = result.counted.filter { $0.direction == .unknown }
            for event in unknown { confusion.extra[event.crossingClass, default: 0] += 1 }
            matching.extra += unknown
            let pairs = matching.pairs
            let directions = ScoreReport.directions + (unknown.isEmpty ? [] : [.unknown])
            for crossingClass in ScoreReport.classes {
                for direction in directions {
                    let truth = result.truth.filter { $0.crossingClass == crossingClass && $0.direction == direction }.count
                    let counted = result.counted.filter { $0.crossingClass == crossingClass && $0.direction == direction }.count
                    guard present.contains(crossingClass) || truth > 0 || counted > 0 else { continue }
                    var row = Row(lane: result.spec.name, crossingClass: crossingClass, direction: direction,
                                  truth: truth, counted: counted)
                    matching.fill(&row)
                    if result.spec.loops != nil {
                        let errors = pairs.compactMap { pair -> Double? in
                            guard pair.truth.crossingClass == crossingClass, pair.truth.direction == direction,
                                let measured = pair.counted.lengthM else { return nil }
                            return abs(measured - pair.truth.lengthM) / pair.truth.lengthM
                        }.sorted()
                        row.lengthErrorMedian = ScoreReport.quantile(errors, 0.5)
                        row.lengthErrorP90 = ScoreReport.quantile(errors, 0.9)
                    }
                    rows.append(row)
                    if let baseline = result.baseline {
                        let baselineCount = crossingClass == result.spec.primaryClass && direction != .unknown
                            ? Int(direction == .outbound ? baseline.outbound : baseline.inbound) : 0
                        baselineRows.append(Row(lane: result.spec.name, crossingClass: crossingClass, direction: direction,
                                                truth: truth, counted: baselineCount))
                    }
                }
            }
        }
        self.rows = rows
        self.baselineRows = results.contains { $0.baseline != nil } ? baselineRows : nil
        self.confusion = confusion
    }

    /// 1 - sum of |counted - truth| / sum of truth, over all rows.
    public var accuracy: Double {
        ScoreReport.accuracy(rows)
    }

    public var baselineAccuracy: Double? {
        baselineRows.map(ScoreReport.accuracy)
    }

    /// Event by event: the true crossings matched to a counted one of their own class, over all
    /// true crossings plus the counted ones that matched none. 1 only when every crossing was
    /// counted once, at its time, in its class and direction.
    public var eventAccuracy: Double {
        ScoreReport.eventAccuracy(rows)
    }

    /// `eventAccuracy` over any rows: of one run, or of several seeds' runs together.
    public static func eventAccuracy(_ rows: [Row]) -> Double {
        let right = rows.reduce(0) { $0 + $1.matched }
        let whole = rows.reduce(0) { $0 + $1.truth + $1.extra }
        return whole == 0 ? 1 : Double(right) / Double(whole)
    }

    /// Of the crossings matched to a true one, the fraction given the right class.
    public var classAccuracy: Double {
        confusion.matchedTotal == 0 ? 1 : Double(confusion.matchedSameClass) / Double(confusion.matchedTotal)
    }

    static func accuracy(_ rows: [Row]) -> Double {
        let truth = rows.reduce(0) { $0 + $1.truth }
        let error = rows.reduce(0) { $0 + abs($1.counted - $1.truth) }
        return truth == 0 ? (error == 0 ? 1 : 0) : 1 - Double(error) / Double(truth)
    }

    /// The nearest-rank quantile of sorted values, or nil when there are none.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Pairs counted crossings with true ones of the same direction, in two passes. First each
    /// counted crossing takes the nearest unmatched true crossing of its own class within 3 s
    /// (a walker is counted a fraction of a second after it passes the line). Then what is left
    /// takes the nearest unmatched true crossing of any class within 10 minutes before it and
    /// an hour after: a truck stopping and going on the line can be counted minutes away from
    /// the moment its reference point passed. Only the second pass can show a wrong class.
    /// Each true and each counted crossing is in at most one pair.
    static func match(
        truth: [TruthEvent], counted: [CountedEvent], into confusion: inout Confusion
    ) -> Matching {
        let truths = truth.sorted { $0.timeS < $1.timeS }
        let events = counted.sorted { $0.timeS < $1.timeS }
        var truthUsed = [Bool](repeating: false, count: truths.count)
        var pairs = [Int?](repeating: nil, count: events.count)
        for sameClass in [true, false] {
            for (eventIndex, event) in events.enumerated() where pairs[eventIndex] == nil {
                let window = sameClass ? (-3.0)...3.0 : (-600.0)...3600.0
                var pick: Int?
                for (index, candidate) in truths.enumerated() where !truthUsed[index] {
                    let lag = event.timeS - candidate.timeS
                    guard window.contains(lag), !sameClass || candidate.crossingClass == event.crossingClass else { continue }
                    if pick.map({ abs(lag) < abs(event.timeS - truths[$0].timeS) }) ?? true { pick = index }
                }
                if let pick {
                    truthUsed[pick] = true
                    pairs[eventIndex] = pick
                }
            }
        }
        var matching = Matching()
        for (eventIndex, event) in events.enumerated() {
            guard let pick = pairs[eventIndex] else {
                confusion.extra[event.crossingClass, default: 0] += 1
                matching.extra.append(event)
                continue
            }
            confusion.matched[truths[pick].crossingClass, default: [:]][event.crossingClass, default: 0] += 1
            matching.pairs.append((truths[pick], event))
        }
        for (index, event) in truths.enumerated() where !truthUsed[index] {
            confusion.missed[event.crossingClass, default: 0] += 1
            matching.missed.append(event)
        }
        return matching
    }

    /// What `match` made of a lane's crossings: the pairs, and what was left on each side.
    struct Matching {
        var pairs: [(truth: TruthEvent, counted: CountedEvent)] = []
        var missed: [TruthEvent] = []
        var extra: [CountedEvent] = []

        mutating func add(_ other: Matching) {
            pairs += other.pairs
            missed += other.missed
            extra += other.extra
        }

        /// Sets `row`'s event-level figures from the crossings of its class and direction.
        func fill(_ row: inout Row) {
            let (rowClass, rowDirection) = (row.crossingClass, row.direction)
            let inRow = { (crossingClass: CrossingClass, direction: Direction) in
                crossingClass == rowClass && direction == rowDirection
            }
            for pair in pairs where inRow(pair.truth.crossingClass, pair.truth.direction) {
                if pair.counted.crossingClass == row.crossingClass { row.matched += 1 } else { row.misclassified += 1 }
            }
            row.missed = missed.count { inRow($0.crossingClass, $0.direction) }
            row.extra = extra.count { inRow($0.crossingClass, $0.direction) }
        }
    }
}
