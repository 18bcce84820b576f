@testable import CrossingCollector
import CrossingCore
import Foundation
import Testing

/// The collector's side of incarnations (docs/device-protocol.md, "Incarnations"), against
/// hand-made batches: what it gives, what it logs, and that it survives a restart.
@Suite("Incarnations at the collector")
struct IncarnationTests {
    static let key = deviceKey("pole")

    /// A batch of `lines` under the trailer fields `inc` (nil: none), `first` and `last`.
    static func batch(lines text: String, inc: String?, first: Int64, last: Int64) -> (lines: [UInt8], trailer: [UInt8]) {
        let lines = Array(text.utf8)
        let count = lines.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let signed = "# batch v=1 device=pole" + (inc.map { " inc=\($0)" } ?? "") + " first=\(first) last=\(last) lines=\(count) bytes=\(lines.count)"
        let mac = BatchTrailer.mac(key: key, lines: lines, signedPart: Array(signed.utf8))
        return (lines, Array("\(signed) hmac=\(mac)".utf8))
    }

    /// A device's first batch: its health line alone, which differs each time by its uptime.
    static func hello(uptimeS: Int64) -> String { "device_health,site=s,device=pole uptime_s=\(uptimeS)i,time_known=f\n" }

    static func record(seq: Int64, count: Int64, incarnation: Int64) -> String {
        "crossings,site=s,device=pole,incarnation=\(incarnation),lane=road,class=car,direction=outbound count=\(count)i,seq=\(seq)i \(1_663_750_800 + seq * 60)000000000\n"
    }

    @Test("A trailer reads inc=N, inc=new on a batch of no records, and none as 0; anything else is malformed")
    func trailerField() {
        func parse(_ inc: String?, last: Int64 = 0) -> BatchTrailer? {
            BatchTrailer(line: Self.batch(lines: "", inc: inc, first: last == 0 ? 0 : 1, last: last).trailer)
        }
        #expect(parse(nil)?.incarnation == 0)
        #expect(parse("7", last: 3)?.incarnation == 7)
        #expect(parse("new") != nil && parse("new")?.incarnation == nil)
        #expect(parse("new", last: 3) == nil, "records never go out before their incarnation")
        #expect(parse("-1") == nil && parse("x") == nil && parse("") == nil)
    }

    @Test("A blank unit gets a number above every earlier one of its id, logged before the ack, kept across a restart and a compaction")
    func givenNumbers() throws {
        let directory = temporaryDirectory("incarnations")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keys = DeviceKeys(keys: ["pole": Self.key])
        var batches = DeviceBatches()
        var store = try CollectorStore(directory: directory, warn: { _ in })
        let nowNs: Int64 = 1_663_750_000_123_456_789

        var uptimeS: Int64 = 0
        func ask(at receivedNs: Int64) throws -> Int64? {
            uptimeS += 1
            let hello = Self.batch(lines: Self.hello(uptimeS: uptimeS), inc: "new", first: 0, last: 0)
            let judged = try batches.accept(lines: hello.lines, trailer: hello.trailer, keys: keys, store: store, receivedNs: receivedNs)
            guard case .stored(_, 0, let given) = judged.verdict else { return nil }
            return given
        }
        let first = try #require(try ask(at: nowNs))
        #expect(first == 1_663_750_000, "the collector's second, when no earlier life is higher")
        // The same second, then a clock stepped back an hour: still above every earlier number.
        let second = try #require(try ask(at: nowNs))
        let third = try #require(try ask(at: nowNs - 3_600_000_000_000))
        #expect(second == first + 1 && third == first + 2)
        #expect(store.wal.needsSync, "the event is in the log, for the sync the ack waits for")

        // Records of two lives with the same numbers are both stored.
        for (incarnation, count) in [(first, Int64(3)), (second, Int64(5))] {
            let records = Self.batch(
                lines: Self.record(seq: 1, count: count, incarnation: incarnation), inc: "\(incarnation)", first: 1, last: 1)
            let judged = try batches.accept(lines: records.lines, trailer: records.trailer, keys: keys, store: store, receivedNs: nowNs)
            #expect(judged.verdict == .stored(device: "pole", last: 1, incarnation: nil))
        }
        #expect(store.ledger.totals.values.reduce(0, +) == 8)
        try store.sync()

        // A restart replays the events from the log; a compaction keeps them in the snapshot.
        var given = [first, second, third]
        for reopen in ["log", "snapshot"] {
            if reopen == "snapshot" { try store.compact() }
            store = try CollectorStore(directory: directory, warn: { _ in })
            let seen = store.ledger.incarnations.keys.filter { $0.device == "pole" }.map(\.incarnation).sorted()
            #expect(seen == given, "after a restart from the \(reopen)")
            #expect(store.ledger.highestIncarnation(of: "pole") == given.last)
            #expect(store.ledger.storedSeqs[DeviceIncarnation(device: "pole", incarnation: second)]?.ranges == [1...1])
            batches = DeviceBatches()
            let next = try #require(try ask(at: nowNs))
            #expect(next == given.last! + 1, "after a restart from the \(reopen)")
            given.append(next)
            try store.sync()
        }
    }

    @Test("A snapshot from before incarnations reads its devices as incarnation 0")
    func snapshotBefore() throws {
        var bytes = Snapshot.magicBefore
        bytes.appendLittleEndian(Int64(2))
        bytes.appendLittleEndian(Int64(10))
        bytes.appendLittleEndian(UInt32(1))
        bytes.append(string: "pole")
        bytes.appendLittleEndian(UInt32(1))
        bytes.appendLittleEndian(Int64(1))
        bytes.appendLittleEndian(Int64(10))
        bytes.appendLittleEndian(UInt32(0))
        var crc = CRC32()
        crc.update(bytes.span)
        bytes.appendLittleEndian(crc.value)
        let (ledger, through) = try Snapshot.decode(bytes, path: "snapshot.bin")
        #expect(through == 2 && ledger.points == 10)
        #expect(ledger.storedSeqs == [DeviceIncarnation(device: "pole", incarnation: 0): SeqRanges(ranges: [1...10])])
        // And it writes back in today's layout, the same.
        let again = try Snapshot.decode(Snapshot.encode(ledger, throughSegment: 2), path: "snapshot.bin")
        #expect(again.ledger.storedSeqs == ledger.storedSeqs)
    }
}
