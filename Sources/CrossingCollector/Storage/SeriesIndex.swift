#if canImport(Glibc)
import Glibc
#endif

/// What the ledger needs to know of a series, worked out once from its tags.
struct SeriesFacts {
    /// The measurements the ledger reads; the rest it only counts as points.
    enum Measurement {
        case crossings, health, incarnationEvent, other
    }

    var measurement: Measurement
    /// The `device` tag.
    var device: String?
    /// The `site` tag.
    var site: String?
    /// The device incarnation the series' records belong to: none without a `device` tag or
    /// when the `incarnation` tag is not a number.
    var origin: DeviceIncarnation?
    /// The totals' series, for a `crossings` series with all five tags.
    var crossing: CrossingTotals.Series?
}

/// What every line of a series reads and changes: plain numbers, kept apart from the facts'
/// strings so that reading them costs no reference counting.
struct SeriesState {
    var measurement: SeriesFacts.Measurement
    var hasDevice: Bool
    var hasOrigin: Bool
    var countsCrossings: Bool
    /// The place of the origin's record numbers in the ledger, once it has one.
    var originNumber: Int?
    /// The series' number in the totals, given when it first counts (so that a refused line
    /// numbers nothing).
    var crossingNumber: UInt32?
    /// The device's last-heard time is known to be at least this: a body's lines share one
    /// arrival time, so only its first line per series touches the device's entry.
    var heardAtLeastNs: Int64 = .min
    /// The origin's first-seen time is known to be at most this.
    var originSeenAtMostNs: Int64 = .max

    init(_ facts: SeriesFacts) {
        measurement = facts.measurement
        hasDevice = facts.device != nil
        hasOrigin = facts.origin != nil
        countsCrossings = facts.crossing != nil
    }
}

/// The series seen, looked up by the bytes of their series key (measurement and tags as
/// written): a line's series costs one hash of those bytes instead of a string per tag and a
/// hash of five strings. Open addressing over one arena of key bytes; derived from nothing
/// but the keys, so it can be emptied between bodies, which is how it stays bounded when a
/// writer sends endless new tag values. Entries stay put while a body is read: a body's
/// points refer to them.
struct SeriesIndex {
    static let entriesMax = 1 << 16
    static let keyBytesMax = 16 << 20

    private struct Key {
        var hash: Int
        var start: Int
        var count: Int
    }

    private var slots: [Int32] = []
    private var keys: [Key] = []
    private var arena: [UInt8] = []
    private(set) var facts: [SeriesFacts] = []
    var states: [SeriesState] = []

    /// The entry of the series key `key`, learned through `learn` on first sight.
    mutating func entry(for key: UnsafeRawBufferPointer, learn: () -> SeriesFacts) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: key)
        let hash = hasher.finalize()
        if let found = find(key, hash: hash) { return found }
        if (keys.count + 1) * 2 > slots.count { grow() }
        let entry = keys.count
        keys.append(Key(hash: hash, start: arena.count, count: key.count))
        arena.append(contentsOf: key)
        let learned = learn()
        states.append(SeriesState(learned))
        facts.append(learned)
        place(entry, hash: hash)
        return entry
    }

    private func find(_ key: UnsafeRawBufferPointer, hash: Int) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = hash & mask
        return arena.withUnsafeBytes { arenaBytes in
            while slots[slot] >= 0 {
                let entry = Int(slots[slot])
                let known = keys[entry]
                if known.hash == hash && known.count == key.count
                    && (key.isEmpty || memcmp(arenaBytes.baseAddress! + known.start, key.baseAddress!, key.count) == 0)
                {
                    return entry
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    private mutating func place(_ entry: Int, hash: Int) {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: max(64, slots.count * 2))
        for (entry, key) in keys.enumerated() { place(entry, hash: key.hash) }
    }

    /// Empties the index when it has grown past its bounds. Call it between bodies only.
    mutating func bound() {
        guard keys.count > Self.entriesMax || arena.count > Self.keyBytesMax else { return }
        slots = []
        keys.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        facts.removeAll(keepingCapacity: true)
        states.removeAll(keepingCapacity: true)
    }
}
