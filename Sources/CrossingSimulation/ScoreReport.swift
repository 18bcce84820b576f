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
            for crossingClass in ScoreReport.classes {
                for direction in ScoreReport.directions {
                    let truth = result.truth.filter { $0.crossingClass == crossingClass && $0.direction == direction }.count
                    let counted = result.counted.filter { $0.crossingClass == crossingClass && $0.direction == direction }.count
                    guard present.contains(crossingClass) || truth > 0 || counted > 0 else { continue }
                    rows.append(Row(lane: result.spec.name, crossingClass: crossingClass, direction: direction,
                                    truth: truth, counted: counted))
                    if let baseline = result.baseline {
                        let baselineCount = crossingClass == result.spec.primaryClass
                            ? Int(direction == .outbound ? baseline.outbound : baseline.inbound) : 0
                        baselineRows.append(Row(lane: result.spec.name, crossingClass: crossingClass, direction: direction,
                                                truth: truth, counted: baselineCount))
                    }
                }
            }
            for direction in ScoreReport.directions {
                ScoreReport.match(
                    truth: result.truth.filter { $0.direction == direction },
                    counted: result.counted.filter { $0.direction == direction }, into: &confusion)
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

    /// Of the crossings matched to a true one, the fraction given the right class.
    public var classAccuracy: Double {
        confusion.matchedTotal == 0 ? 1 : Double(confusion.matchedSameClass) / Double(confusion.matchedTotal)
    }

    static func accuracy(_ rows: [Row]) -> Double {
        let truth = rows.reduce(0) { $0 + $1.truth }
        let error = rows.reduce(0) { $0 + abs($1.counted - $1.truth) }
        return truth == 0 ? (error == 0 ? 1 : 0) : 1 - Double(error) / Double(truth)
    }

    /// Pairs each counted crossing with the unmatched true crossing of the same direction
    /// nearest before it in time (a counter reports a crossing once the object is past the
    /// line's band: at or after the truth, by up to a stop's length when a vehicle halts on the
    /// line, and never more than a couple of seconds before it).
    static func match(truth: [TruthEvent], counted: [CountedEvent], into confusion: inout Confusion) {
        let truths = truth.sorted { $0.timeS < $1.timeS }
        var used = [Bool](repeating: false, count: truths.count)
        var first = 0
        for event in counted.sorted(by: { $0.timeS < $1.timeS }) {
            while first < truths.count && (used[first] || event.timeS - truths[first].timeS > 3600) { first += 1 }
            var pick: Int?
            var index = first
            while index < truths.count && truths[index].timeS <= event.timeS + 2 {
                if !used[index] {
                    let better = pick.map { abs(event.timeS - truths[index].timeS) < abs(event.timeS - truths[$0].timeS) } ?? true
                    if better { pick = index }
                }
                index += 1
            }
            guard let pick else {
                confusion.extra[event.crossingClass, default: 0] += 1
                continue
            }
            used[pick] = true
            confusion.matched[truths[pick].crossingClass, default: [:]][event.crossingClass, default: 0] += 1
        }
        for (index, event) in truths.enumerated() where !used[index] {
            confusion.missed[event.crossingClass, default: 0] += 1
        }
    }
}
