import CrossingCore
import CrossingDevice
import Foundation

/// The collector's side of the device protocol (docs/device-protocol.md) in memory, as the
/// device's link: it reads lines until a `# batch` trailer, checks the HMAC under the device's
/// key, stores the batch unless it has stored its last record number already (per device and
/// incarnation), and answers `ack LAST TIME_NS`, or `nack REASON` when the batch does not
/// check. A batch with `inc=new` is answered `ack 0 TIME_NS N` with an incarnation the device
/// id never had. It can be taken down.
public struct EmulatedCollector: InMemoryPeer {
    /// Wall time at the collector, ns since 1970; the host moves it along.
    public var nowNs: Int64
    /// While down, connections are refused and an open one breaks.
    public var down: Bool {
        get { connection.down }
        set { connection.down = newValue }
    }
    public private(set) var store = PointStore()
    public private(set) var batchesStored = 0
    /// Batches whose last record number was stored before: acknowledged, not stored again.
    public private(set) var batchesRepeated = 0
    public private(set) var batchesRefused = 0
    private let key: [UInt8]
    /// The highest record stored, per device and incarnation (`device/inc`).
    private var highestStored: [String: Int] = [:]
    /// The highest incarnation given, per device.
    public private(set) var incarnations: [String: Int64] = [:]
    public var connection = PeerConnection()
    private var pending: [UInt8] = []

    public init(key: [UInt8], nowNs: Int64) {
        self.key = key
        self.nowNs = nowNs
    }

    /// A resend after a break starts its batch again.
    public mutating func connectionLost() {
        pending = []
    }

    public mutating func serve() {
        while let newline = connection.inbound.firstIndex(of: 0x0A) {
            let line = Array(connection.inbound[...newline])
            connection.inbound.removeFirst(newline + 1)
            guard line.first == 0x23 else {
                pending += line
                continue
            }
            answer(trailer: String(decoding: line.dropLast(), as: UTF8.self))
            pending = []
        }
    }

    private mutating func answer(trailer: String) {
        var fields: [String: String] = [:]
        for part in trailer.split(separator: " ").dropFirst(2) {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let macStart = trailer.range(of: " hmac="), let device = fields["device"], let last = fields["last"].flatMap(Int.init),
            fields["bytes"].flatMap(Int.init) == pending.count
        else {
            refuse("malformed")
            return
        }
        var mac = HMACSHA256(key: key.span)
        mac.update(pending.span)
        let signed = Array(trailer[..<macStart.lowerBound].utf8)
        mac.update(signed.span)
        var digest = InlineArray<32, UInt8>(repeating: 0)
        mac.finish(into: &digest)
        let hex = (0..<32).map { String(format: "%02x", digest[$0]) }.joined()
        guard fields["hmac"] == hex else {
            refuse("bad-hmac")
            return
        }
        if fields["inc"] == "new" {
            let number = max(nowNs / 1_000_000_000, (incarnations[device] ?? 0) + 1)
            incarnations[device] = number
            connection.outbound += Array("ack 0 \(nowNs) \(number)\n".utf8)
            return
        }
        let life = "\(device)/\(fields["inc"] ?? "0")"
        if last > 0 {
            if let stored = highestStored[life], last <= stored {
                batchesRepeated += 1
            } else {
                store.store(pending)
                highestStored[life] = last
                batchesStored += 1
            }
        }
        connection.outbound += Array("ack \(last) \(nowNs)\n".utf8)
    }

    private mutating func refuse(_ reason: String) {
        batchesRefused += 1
        connection.outbound += Array("nack \(reason)\n".utf8)
    }
}
