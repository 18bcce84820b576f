import CrossingCollector
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Collector store: write-ahead log, snapshot, dedup")
struct CollectorStoreTests {
    static func body(_ records: [TestRecord]) -> [UInt8] { Array(records.map(\.line).joined().utf8) }

    static func records(device: String, seqs: ClosedRange<Int64>) -> [TestRecord] {
        seqs.map { TestRecord(device: device, seq: $0, count: $0 % 7 + 1, crossingClass: $0 % 2 == 0 ? "car" : "bus", minuteS: 1_663_750_800 + $0 * 60) }
    }

    static func total(_ ledger: Ledger) -> Int64 { ledger.totals.values.reduce(0, +) }

    @Test("Record numbers merge into ranges and are found by binary search")
    func seqRanges() {
        var ranges = SeqRanges()
        for seq: Int64 in [5, 1, 3, 2, 10, 4, 12, 11] { ranges.insert(seq) }
        #expect(ranges.ranges == [1...5, 10...12])
        #expect(ranges.contains(4) && ranges.contains(11) && !ranges.contains(7) && !ranges.contains(13) && !ranges.contains(0))
        ranges.insert(6...9)
        #expect(ranges.ranges == [1...12])
    }

    @Test("Totals keep each series and minute apart, before 1970 and far after it too, and sum like the dictionary they replaced")
    func compactTotals() {
        // Horizons past every minute here: nothing rolls up (that is the next test).
        var totals = CrossingTotals(minuteHorizonS: .max, hourHorizonS: .max)
        var plain: [CrossingKey: Int64] = [:]
        let minutes: [Int64] = [-120, -60, 0, 60, 1_663_750_800, 9_000_000_000 / 60 * 60]
        for (index, minuteS) in minutes.enumerated() {
            for device in ["a", "b"] {
                let key = CrossingKey(site: "s", device: device, lane: "l", crossingClass: "car", direction: "outbound", minuteS: minuteS)
                totals.add(Int64(index + 1), to: key)
                totals.add(10, to: key)
                plain[key, default: 0] += Int64(index + 1) + 10
            }
        }
        #expect(totals.count == plain.count && totals.series.count == 2)
        #expect(Dictionary(uniqueKeysWithValues: totals.map { ($0.key, $0.value) }) == plain)
        #expect(totals.sum { $0.device == "b" && $0.minuteS < 0 } == 11 + 12)
        var other = CrossingTotals(minuteHorizonS: .max, hourHorizonS: .max)
        for (key, count) in plain { other.add(count, to: key) }
        #expect(other == totals)
    }

    @Test("Minutes past the horizon roll up into hours, hours past a year into days, every count kept; a snapshot and a restart keep them")
    func rollups() throws {
        let directory = temporaryDirectory("store-rollups")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var store = try CollectorStore(directory: directory, warn: { _ in })
        let startS: Int64 = 1_663_718_400
        // A record every 20 minutes for 400 days: two a minute slot apart in each hour's first
        // half, so an hour holds three minutes' worth.
        var expected: Int64 = 0
        var body = ""
        var seq: Int64 = 0
        for step in 0..<(400 * 72) {
            seq += 1
            let timeS = startS + Int64(step) * 1200
            body += "crossings,site=s,device=d,lane=l,class=car,direction=outbound count=\(seq % 5 + 1)i,seq=\(seq)i \(timeS)000000000\n"
            expected += seq % 5 + 1
            if step % 720 == 719 {
                _ = try store.ingest(Array(body.utf8), precision: .ns, receivedNs: (timeS + 60) * 1_000_000_000)
                body = ""
            }
        }
        let totals = store.ledger.totals
        #expect(totals.sum { _ in true } == expected, "no count lost by rolling up")
        let newestS = startS + Int64(400 * 72 - 1) * 1200
        #expect(totals.newestMinuteS == newestS / 60 * 60)
        // About 7 days of 20-minute records per minute; a year of hours; the rest in days.
        #expect((7 * 72)...(8 * 72) ~= totals.count(at: .minute))
        #expect((358 * 24 - 24)...(359 * 24) ~= totals.count(at: .hour))
        #expect((34)...(36) ~= totals.count(at: .day))
        #expect(totals.keys.allSatisfy { newestS - $0.minuteS <= 7 * 86_400 + 86_400 || $0.minuteS % 3600 == 0 })

        // A report over the first day, by hour, reads the day's total.
        let firstDay = Report(ledger: store.ledger, query: ReportQuery(fromS: startS, toS: startS + 86_400, by: .day), sites: SiteConfig())
        let firstDayExpected = (1...72).reduce(Int64(0)) { $0 + $1 % 5 + 1 }
        #expect(firstDay.totals["car_outbound"] == firstDayExpected)

        try store.sync()
        try store.compact()
        store = try CollectorStore(directory: directory, warn: { _ in })
        #expect(store.ledger.totals == totals, "the snapshot keeps each total at its resolution")
        #expect(store.ledger.totals.minuteHorizonS == CrossingTotals.minuteHorizonDefaultS)
        store.setMinuteHorizon(days: 1)
        #expect(store.ledger.totals.count(at: .minute) <= 2 * 72 && store.ledger.totals.sum { _ in true } == expected)
    }

    @Test("A resent write changes nothing: its lines are dropped as duplicates")
    func resend() throws {
        let directory = temporaryDirectory("store-resend")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory, warn: { _ in })
        let records = Self.records(device: "d1", seqs: 1...10)
        let first = try store.ingest(Self.body(records), precision: .ns, receivedNs: 0)
        #expect(first.accepted == 10 && first.duplicates == 0 && first.errors.isEmpty)
        let totalBefore = Self.total(store.ledger)
        let again = try store.ingest(Self.body(Array(records[3...]) + Self.records(device: "d1", seqs: 11...12)), precision: .ns, receivedNs: 0)
        #expect(again.accepted == 2 && again.duplicates == 7)
        #expect(Self.total(store.ledger) == totalBefore + Self.records(device: "d1", seqs: 11...12).reduce(0) { $0 + $1.count })
        #expect(store.ledger.storedSeqs[DeviceIncarnation(device: "d1", incarnation: 0)]?.ranges == [1...12])
    }

    @Test("Bad lines are refused by line and column; the good lines of the same write are stored")
    func partialWrite() throws {
        let directory = temporaryDirectory("store-partial")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory, warn: { _ in })
        let good = Self.records(device: "d1", seqs: 1...2)
        let body = Array((good[0].line + "crossings,site=x count=\n" + good[1].line).utf8)
        let result = try store.ingest(body, precision: .ns, receivedNs: 0)
        #expect(result.accepted == 2)
        #expect(result.errors.map(\.line) == [2])
        #expect(Self.total(store.ledger) == good[0].count + good[1].count)
    }

    @Test("A batch's lines must be its device's and inside its record numbers")
    func sourceChecks() throws {
        let directory = temporaryDirectory("store-source")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try CollectorStore(directory: directory, warn: { _ in })
        let body = Self.body(Self.records(device: "d1", seqs: 1...3) + Self.records(device: "d2", seqs: 2...2))
        let result = try store.ingest(body, precision: .ns, receivedNs: 0, source: .init(device: "d1", seqs: 1...2))
        #expect(result.accepted == 2)
        #expect(result.errors.map(\.reason) == ["seq 3 outside the batch's 1...2", "device tag 'd2' is not the writer's device 'd1'"])
    }

    @Test("A log cut at any byte reopens with exactly the writes that were whole, and takes new ones")
    func tornTail() throws {
        let directory = temporaryDirectory("store-torn")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var ends: [(offset: Int, total: Int64)] = []
        do {
            let store = try CollectorStore(directory: directory + "/original", warn: { _ in })
            for batch in 0..<12 {
                let seqs = Int64(batch * 3 + 1)...Int64(batch * 3 + 3)
                _ = try store.ingest(Self.body(Self.records(device: "d1", seqs: seqs)), precision: .ns, receivedNs: 0)
                try store.sync()
                ends.append((store.wal.end.offset, Self.total(store.ledger)))
            }
        }
        let log = directory + "/original/wal/00000001.log"
        let size = ends.last!.offset
        for cut in stride(from: 0, through: size, by: 37) {
            let copy = directory + "/cut-\(cut)"
            try FileManager.default.createDirectory(atPath: copy + "/wal", withIntermediateDirectories: true)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: log)).prefix(cut)
            try bytes.write(to: URL(fileURLWithPath: copy + "/wal/00000001.log"))
            var warnings: [String] = []
            let expected = ends.last { $0.offset <= cut }?.total ?? 0
            do {
                let store = try CollectorStore(directory: copy, warn: { warnings.append($0) })
                #expect(Self.total(store.ledger) == expected, "cut at \(cut)")
                #expect(warnings.isEmpty == ends.contains { $0.offset == cut } || cut == 0, "cut at \(cut): \(warnings)")
                _ = try store.ingest(Self.body(Self.records(device: "d2", seqs: 1...1)), precision: .ns, receivedNs: 0)
                try store.sync()
            }
            let reopened = try CollectorStore(directory: copy, warn: { _ in })
            #expect(Self.total(reopened.ledger) == expected + Self.records(device: "d2", seqs: 1...1)[0].count, "cut at \(cut), reopened")
            try FileManager.default.removeItem(atPath: copy)
        }
    }

    @Test("A corrupt byte in the log's last record cuts that record off as the tail, and says where")
    func corruption() throws {
        let directory = temporaryDirectory("store-corrupt")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var firstEnd = 0
        do {
            let store = try CollectorStore(directory: directory, warn: { _ in })
            _ = try store.ingest(Self.body(Self.records(device: "d1", seqs: 1...2)), precision: .ns, receivedNs: 0)
            firstEnd = store.wal.end.offset
            _ = try store.ingest(Self.body(Self.records(device: "d1", seqs: 3...4)), precision: .ns, receivedNs: 0)
            try store.sync()
        }
        let path = directory + "/wal/00000001.log"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[firstEnd + 20] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var warnings: [String] = []
        let store = try CollectorStore(directory: directory, warn: { warnings.append($0) })
        #expect(store.ledger.storedSeqs[DeviceIncarnation(device: "d1", incarnation: 0)]?.ranges == [1...2])
        #expect(warnings == ["\(path): offset \(firstEnd): record CRC mismatch; \(bytes.count - firstEnd) bytes after it dropped"])
    }

    @Test("Compaction into a snapshot keeps every total and the dedup memory")
    func compaction() throws {
        let directory = temporaryDirectory("store-compact")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let expected: Int64
        do {
            let store = try CollectorStore(directory: directory, compactBytes: 2000, warn: { _ in })
            for batch in 0..<20 {
                let seqs = Int64(batch * 4 + 1)...Int64(batch * 4 + 4)
                _ = try store.ingest(Self.body(Self.records(device: "d\(batch % 3)", seqs: seqs)), precision: .ns, receivedNs: 0)
                try store.sync()
                try store.compactIfNeeded()
            }
            expected = Self.total(store.ledger)
            #expect(store.wal.segment > 1)
        }
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory + "/wal")
        #expect(segments.count == 1, "old segments deleted: \(segments)")
        let store = try CollectorStore(directory: directory, warn: { _ in })
        #expect(Self.total(store.ledger) == expected)
        let resend = try store.ingest(Self.body(Self.records(device: "d0", seqs: 1...4)), precision: .ns, receivedNs: 0)
        #expect(resend.accepted == 0 && resend.duplicates == 4)
        #expect(try CollectorStore.readLedger(directory: directory, warn: { _ in }).totals == store.ledger.totals)
    }

    @Test("Compaction keeps each device's latest health and when it was last heard, through a restart")
    func compactionKeepsHealth() throws {
        let directory = temporaryDirectory("store-health")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let health = Array("""
            device_health,site=verkhny-lars,device=vl-pole-3 uptime_s=86400i,bus_errors=2i,frames_rejected=1i,silent_lanes=4i,\
            blind_lanes=1i,degraded_lanes=2i,outbox_records=7i,records_refused=3i,export_failures=5i 1663837200000000000

            """.utf8)
        let before: Ledger
        do {
            let store = try CollectorStore(directory: directory, compactBytes: 200, warn: { _ in })
            _ = try store.ingest(health, precision: .ns, receivedNs: 1_663_837_201_000_000_000)
            for batch in 0..<6 {
                let seqs = Int64(batch * 4 + 1)...Int64(batch * 4 + 4)
                _ = try store.ingest(Self.body(Self.records(device: "d1", seqs: seqs)), precision: .ns, receivedNs: 1_663_837_300_000_000_000)
                try store.sync()
                try store.compactIfNeeded()
            }
            #expect(store.wal.segment > 2, "the health line's segment was compacted away")
            before = store.ledger
        }
        let after = try CollectorStore(directory: directory, warn: { _ in }).ledger
        #expect(after.health == before.health && after.lastHeardNs == before.lastHeardNs)
        let kept = try #require(after.health["vl-pole-3"])
        #expect(kept.outboxRecords == 7 && kept.exportFailures == 5 && kept.silentLanes == 4 && kept.timeS == 1_663_837_200)
        #expect(after.lastHeardNs["vl-pole-3"] == 1_663_837_201_000_000_000 && after.lastHeardNs["d1"] == 1_663_837_300_000_000_000)
    }

    @Test("A keys file others can read is refused; a malformed one names its line")
    func keysFile() throws {
        let directory = temporaryDirectory("store-keys")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = writeKeys(["d1", "d2"], in: directory)
        #expect(try DeviceKeys.load(path: path).keys(for: "d2") == [deviceKey("d2")])
        chmod(path, 0o644)
        #expect(throws: CollectorError.self) { try DeviceKeys.load(path: path) }
        let bad = directory + "/bad"
        _ = FileManager.default.createFile(atPath: bad, contents: Data("# devices\nd1 00ff\n".utf8), attributes: [.posixPermissions: 0o600])
        do {
            _ = try DeviceKeys.load(path: bad)
            Issue.record("a short key was taken")
        } catch {
            #expect(error.description == "\(bad):2: key of 'd1' must be 64 hexadecimal digits (32 bytes)")
        }
        // A rotation: the new key, then the one still accepted; a key both new and old is a slip.
        let rotating = directory + "/rotating"
        let text = "d1 \(hex(deviceKey("new"))) \(hex(deviceKey("d1")))\nd2 \(hex(deviceKey("d2"))) \(hex(deviceKey("d2")))\n"
        _ = FileManager.default.createFile(atPath: rotating, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        do {
            _ = try DeviceKeys.load(path: rotating)
            Issue.record("the same key as current and previous was taken")
        } catch {
            #expect(error.description == "\(rotating):2: the previous key of 'd2' is its current key")
        }
        _ = FileManager.default.createFile(atPath: rotating, contents: Data(text.split(separator: "\n")[0].utf8), attributes: [.posixPermissions: 0o600])
        #expect(try DeviceKeys.load(path: rotating).keys(for: "d1") == [deviceKey("new"), deviceKey("d1")])
    }
}
