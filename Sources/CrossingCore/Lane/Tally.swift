/// Counts in one fixed time interval. A bin exists only for intervals in which the sensor
/// delivered frames, so a missing bin means "not observed", never "nobody crossed".
public struct IntervalBin: Sendable, Equatable {
    /// Start of the interval on the device's monotonic clock: a multiple of the interval.
    public var startUs: UInt64 = 0
    public var intervalMs: UInt32 = 0
    /// Frames processed in the interval, so a reader can judge coverage.
    public var frames: UInt32 = 0
    /// Counts per cell, `class * 3 + direction`.
    public var counts = InlineArray<12, UInt32>(repeating: 0)

    public init() {}

    /// The count of one class in one direction.
    public func count(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt32 {
        counts[cellIndex(crossingClass, direction)]
    }

    /// Sum over all cells.
    public var total: UInt64 {
        var sum: UInt64 = 0
        for cell in 0..<Limits.cellsMax { sum += UInt64(counts[cell]) }
        return sum
    }

    /// This bin and a later one as one: counts and frames summed, the interval spanning both.
    public func merged(with later: IntervalBin) -> IntervalBin {
        var sum = self
        for cell in 0..<Limits.cellsMax { sum.counts[cell] &+= later.counts[cell] }
        sum.frames &+= later.frames
        let endUs = later.startUs &+ UInt64(later.intervalMs) * 1000
        sum.intervalMs = UInt32(clamping: (endUs &- startUs) / 1000)
        return sum
    }

    public static func == (lhs: IntervalBin, rhs: IntervalBin) -> Bool {
        guard lhs.startUs == rhs.startUs && lhs.intervalMs == rhs.intervalMs && lhs.frames == rhs.frames else {
            return false
        }
        for cell in 0..<Limits.cellsMax where lhs.counts[cell] != rhs.counts[cell] { return false }
        return true
    }
}

/// Lifetime totals and a fixed ring of closed interval bins for one lane. Public so that every
/// lane's core can offer the same readers on it (`LaneCore`); what it holds is internal.
public struct Tally {
    var totals = InlineArray<12, UInt64>(repeating: 0)
    var open = IntervalBin()
    var isOpen = false
    var ring = InlineArray<4, IntervalBin>(repeating: IntervalBin())
    /// Oldest closed bin, and how many are held.
    var ringHead = 0
    var ringCount = 0
    private(set) var intervalUs: UInt64 = 0
    /// Closed bins merged into their neighbour because the ring was full. Only grows.
    private(set) var binsMerged: UInt64 = 0

    init(intervalMs: UInt32) {
        reset(intervalMs: intervalMs)
    }

    /// Empties the tally in place for bins of `intervalMs`: no totals, no bins.
    mutating func reset(intervalMs: UInt32) {
        precondition(intervalMs > 0)
        precondition(ring.count == Limits.binsMax, "the ring's literal size is Limits.binsMax")
        for cell in totals.indices { totals[cell] = 0 }
        intervalUs = UInt64(intervalMs) * 1000
        open = IntervalBin()
        open.intervalMs = intervalMs
        isOpen = false
        ringHead = 0
        ringCount = 0
        binsMerged = 0
    }

    /// Moves the open bin to the interval holding `timeUs`, closing the previous one when time
    /// has passed its end, and counts the frame in it.
    mutating func advance(toUs timeUs: UInt64) {
        if isOpen && timeUs &- open.startUs < intervalUs {
            open.frames &+= 1
            return
        }
        let startUs = timeUs - timeUs % intervalUs
        if isOpen && startUs != open.startUs {
            precondition(startUs > open.startUs, "time went backwards past a bin")
            close()
        }
        if !isOpen {
            let intervalMs = open.intervalMs
            open = IntervalBin()
            open.intervalMs = intervalMs
            open.startUs = startUs
            isOpen = true
        }
        open.frames &+= 1
    }

    /// Lifetime count of one class in one direction.
    func total(_ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        totals[cellIndex(crossingClass, direction)]
    }

    /// Sum of all lifetime counts, wrapping as each count does (`add`): totals restored from a
    /// flash that says anything must not trap the device (Tools/fuzz journal).
    var grandTotal: UInt64 {
        var sum: UInt64 = 0
        for cell in 0..<Limits.cellsMax { sum &+= totals[cell] }
        return sum
    }

    /// Sets a lifetime count, as kept across a reboot.
    mutating func restore(total: UInt64, _ crossingClass: CrossingClass, _ direction: Direction) {
        totals[cellIndex(crossingClass, direction)] = total
    }

    mutating func add(_ event: CrossingEvent) {
        precondition(isOpen)
        let cell = cellIndex(event.crossingClass, event.direction)
        totals[cell] &+= UInt64(event.people)
        open.counts[cell] &+= UInt32(event.people)
    }

    /// Closes the open bin now, whether or not its interval has ended (for shutdown).
    mutating func close() {
        guard isOpen else { return }
        hold(open)
        isOpen = false
    }

    /// Puts a closed bin at the back of the ring. A full ring merges its two oldest bins into
    /// one first: a reader that has not drained the ring (a device whose outbox has no room)
    /// loses time resolution, never a count.
    mutating func hold(_ bin: IntervalBin) {
        if ringCount == Limits.binsMax {
            let second = (ringHead + 1) % Limits.binsMax
            ring[second] = ring[ringHead].merged(with: ring[second])
            ringHead = second
            ringCount -= 1
            binsMerged &+= 1
        }
        ring[(ringHead + ringCount) % Limits.binsMax] = bin
        ringCount += 1
    }

    /// The counts not yet handed out in a closed bin: the ring's and the open bin's, as one
    /// bin from the oldest start; no frames when there are none.
    var unexported: IntervalBin {
        var sum = IntervalBin()
        sum.intervalMs = open.intervalMs
        var first = true
        for index in 0..<ringCount {
            let bin = ring[(ringHead + index) % Limits.binsMax]
            sum = first ? bin : sum.merged(with: bin)
            first = false
        }
        if isOpen { sum = first ? open : sum.merged(with: open) }
        return sum
    }

    mutating func popClosed() -> IntervalBin? {
        guard ringCount > 0 else { return nil }
        let bin = ring[ringHead]
        ringHead = (ringHead + 1) % Limits.binsMax
        ringCount -= 1
        return bin
    }
}
