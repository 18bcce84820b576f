/// Finished occupancies of one loop waiting for their partners, oldest first.
struct IntervalQueue {
    static let capacity = 8
    private var items = InlineArray<8, LoopInterval>(repeating: LoopInterval())
    private(set) var count = 0

    var first: LoopInterval? { count > 0 ? items[0] : nil }
    var isEmpty: Bool { count == 0 }

    /// The occupancy `index` places from the oldest, if there is one.
    func at(_ index: Int) -> LoopInterval? { index < count ? items[index] : nil }

    /// Appends; when full, first takes out and returns the oldest.
    mutating func push(_ interval: LoopInterval) -> LoopInterval? {
        var evicted: LoopInterval?
        if count == IntervalQueue.capacity { evicted = popFirst() }
        items[count] = interval
        count += 1
        return evicted
    }

    mutating func popFirst() -> LoopInterval? {
        guard count > 0 else { return nil }
        let first = items[0]
        for index in 1..<IntervalQueue.capacity { items[index - 1] = items[index] }
        count -= 1
        return first
    }
}
