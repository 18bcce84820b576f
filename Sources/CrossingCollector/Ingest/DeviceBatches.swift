/// What the collector does with one device-protocol batch (docs/device-protocol.md): checks its
/// trailer against the lines and the device's key, stores it unless it has been stored before,
/// and says what to answer. The server runs it for each batch that arrives; so does
/// `checkpoint-dst`, which runs the collector's ingest in one process with the devices.
public struct DeviceBatches {
    /// What became of a batch.
    public enum Verdict: Equatable, Sendable {
        /// Stored; answer `ack LAST TIME_NS`, or `ack 0 TIME_NS INCARNATION` when the batch
        /// asked for an incarnation and was given `incarnation`.
        case stored(device: String, last: Int64, incarnation: Int64?)
        /// Every record stored before (a device resending a batch whose ack it lost, or a
        /// replay): nothing stored; answer `ack LAST TIME_NS` so a device moves on.
        case repeated(device: String, first: Int64, last: Int64)
        /// Refused, nothing stored; answer `nack REASON` and close.
        case refused(reason: String, detail: String)
    }

    /// Batch MACs remembered per device, to know a replayed batch without numbered records.
    static let recentMacsMax = 64
    private var recentMacs: [String: [String]] = [:]

    public init() {}

    /// Judges the batch of `lines` closed by the trailer `line`, and stores it in `store` when it
    /// is good and new. `ingest` holds what became of its lines when it was stored.
    public mutating func accept(
        lines: [UInt8], trailer line: [UInt8], keys: DeviceKeys?, store: CollectorStore, receivedNs: Int64
    ) throws(CollectorError) -> (verdict: Verdict, ingest: CollectorStore.Ingest?) {
        guard let trailer = BatchTrailer(line: line) else {
            return (.refused(reason: "malformed", detail: "trailer '\(String(decoding: line.prefix(200), as: UTF8.self))' does not parse"), nil)
        }
        let keys = keys?.keys(for: trailer.device) ?? []
        guard !keys.isEmpty else {
            return (.refused(reason: "unknown-device", detail: "device '\(trailer.device)' holds no key here"), nil)
        }
        guard trailer.bytes == lines.count else {
            return (.refused(reason: "malformed", detail: "device \(trailer.device): trailer says \(trailer.bytes) bytes, batch has \(lines.count)"), nil)
        }
        // Either key of a device being moved to a new one (DeviceKeys).
        guard keys.contains(where: { trailer.verifies(lines: lines, key: $0) }) else {
            return (.refused(reason: "bad-hmac", detail: "device \(trailer.device): HMAC does not match its key"), nil)
        }
        var recent = recentMacs[trailer.device] ?? []
        if recent.contains(trailer.hmac) {
            return (.repeated(device: trailer.device, first: trailer.first, last: trailer.last), nil)
        }
        var body = lines
        var given: Int64?
        if let incarnation = trailer.incarnation {
            let origin = DeviceIncarnation(device: trailer.device, incarnation: incarnation)
            let allStored = trailer.last > 0 && (store.ledger.storedSeqs(of: origin)?.ranges.contains {
                $0.contains(trailer.first) && $0.contains(trailer.last)
            } ?? false)
            if allStored { return (.repeated(device: trailer.device, first: trailer.first, last: trailer.last), nil) }
        } else {
            // A blank unit under this id: a number no earlier life of the id had, logged with
            // the batch so that the ack, which waits for the sync, never gives an unlogged one.
            let number = max(receivedNs.dividedFlooring(by: 1_000_000_000), store.ledger.highestIncarnation(of: trailer.device) + 1)
            body += Self.incarnationEvent(device: trailer.device, incarnation: number, timeNs: receivedNs)
            given = number
        }
        let result = try store.ingest(
            body, precision: .ns, receivedNs: receivedNs,
            source: CollectorStore.Source(device: trailer.device, seqs: trailer.first...max(trailer.first, trailer.last)))
        recent.append(trailer.hmac)
        if recent.count > Self.recentMacsMax { recent.removeFirst() }
        recentMacs[trailer.device] = recent
        return (.stored(device: trailer.device, last: trailer.last, incarnation: given), result)
    }

    /// The line logging that `device` was given `incarnation`:
    /// `device_incarnation,device=ID incarnation=Ni TIME_NS`.
    static func incarnationEvent(device: String, incarnation: Int64, timeNs: Int64) -> [UInt8] {
        var line = Array("\(Ledger.incarnationEvent),device=".utf8)
        for byte in device.utf8 {
            if byte == 0x2C || byte == 0x20 || byte == 0x3D { line.append(0x5C) }
            line.append(byte)
        }
        line += Array(" incarnation=\(incarnation)i \(timeNs)\n".utf8)
        return line
    }
}
