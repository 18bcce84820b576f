/// A read-only check of a collector's data directory: the snapshot's CRC and structure, and
/// every record of every log segment (`checkpoint-collector verify`). It changes nothing, so it
/// can run beside a live collector or on a copy taken off a failed disk.
public struct StoreCheck: Sendable {
    /// One log segment as scanned.
    public struct Segment: Sendable {
        public var number: Int
        public var path: String
        public var bytes: Int
        public var scan: SegmentScan
    }

    /// The snapshot: nil when there is none (a store never compacted); otherwise the segment
    /// it covers up to and the points it holds, or why it cannot be read.
    public var snapshot: Result<(throughSegment: Int, points: Int64), CollectorError>?
    public var segments: [Segment] = []

    /// Whether nothing is damaged: the snapshot reads, and every segment is intact records only.
    public var isClean: Bool {
        if case .failure? = snapshot { return false }
        return segments.allSatisfy(\.scan.isIntact)
    }

    /// Checks the store in `directory`. Throws only when the directory or a file cannot be
    /// read at all; damage inside the files is reported in the result.
    public init(directory: String) throws(CollectorError) {
        let snapshotPath = directory + "/" + Snapshot.fileName
        if let bytes = try FileIO.read(path: snapshotPath) {
            do throws(CollectorError) {
                let decoded = try Snapshot.decode(bytes, path: snapshotPath)
                snapshot = .success((decoded.throughSegment, decoded.ledger.points))
            } catch {
                snapshot = .failure(error)
            }
        }
        let wal = directory + "/wal"
        for number in try WriteAheadLog.segments(in: wal) {
            let path = WriteAheadLog.path(wal, number)
            let bytes = try FileIO.read(path: path) ?? []
            segments.append(Segment(number: number, path: path, bytes: bytes.count, scan: SegmentScan(bytes) { _ in }))
        }
    }
}
