/// Which life of its device id the device is in (docs/device-protocol.md, "Incarnations").
///
/// Records are numbered from 1 again when a device boots with blank flash: a replacement unit
/// given the old one's id, or a unit whose flash was wiped. Its records are told from the old
/// unit's by the incarnation, which the export target's first answer gives it: the collector
/// picks a number no earlier life of the id had, InfluxDB's `Date` gives the second. The
/// device keeps it in its journal before it sends a record under it, so a power cut can cost
/// a number that was never used, never a number used twice.
public enum Incarnation: Equatable, Sendable {
    /// Booted with no journal, and not told one yet: records wait.
    case unknown
    /// Told one, not yet in the journal: records still wait, for the next commit.
    case learned(UInt32)
    /// In the journal: records go out under it. 0 is a journal written before incarnations,
    /// whose records carry none.
    case known(UInt32)

    /// What the journal keeps: the number, learned or known, or `unknownMark`.
    var persisted: UInt32 {
        switch self {
        case .unknown: Self.unknownMark
        case .learned(let number), .known(let number): number
        }
    }

    /// The journal's mark for no incarnation yet: no answer gives it, since a second count
    /// that high is past the year 2106.
    static var unknownMark: UInt32 { .max }

    /// The incarnation a journal kept.
    init(persisted: UInt32) {
        self = persisted == Self.unknownMark ? .unknown : .known(persisted)
    }
}
