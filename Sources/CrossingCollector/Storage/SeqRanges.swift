/// The record numbers (`seq`) stored from one device, as sorted, disjoint, non-adjacent
/// ranges. A device numbers its records upward, so this is almost always one range: the
/// collector's dedup memory is a few bytes per device, whatever the device has sent.
public struct SeqRanges: Equatable, Sendable {
    public private(set) var ranges: [ClosedRange<Int64>] = []

    public init(ranges: [ClosedRange<Int64>] = []) {
        for range in ranges { insert(range) }
    }

    public func contains(_ seq: Int64) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < seq { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].contains(seq)
    }

    /// The highest number stored, if any.
    public var highest: Int64? { ranges.last?.upperBound }

    public mutating func insert(_ seq: Int64) { insert(seq...seq) }

    public mutating func insert(_ range: ClosedRange<Int64>) {
        // A device's next record joins the last range: changed in place, nothing allocated.
        if let last = ranges.last, last.lowerBound <= range.lowerBound, range.lowerBound <= last.upperBound || range.lowerBound - 1 == last.upperBound {
            ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            return
        }
        var merged = range
        var kept: [ClosedRange<Int64>] = []
        kept.reserveCapacity(ranges.count + 1)
        var placed = false
        for existing in ranges {
            if existing.upperBound < merged.lowerBound && existing.upperBound + 1 < merged.lowerBound {
                kept.append(existing)
            } else if merged.upperBound < existing.lowerBound && merged.upperBound + 1 < existing.lowerBound {
                if !placed {
                    kept.append(merged)
                    placed = true
                }
                kept.append(existing)
            } else {
                merged = min(existing.lowerBound, merged.lowerBound)...max(existing.upperBound, merged.upperBound)
            }
        }
        if !placed { kept.append(merged) }
        ranges = kept
    }
}
