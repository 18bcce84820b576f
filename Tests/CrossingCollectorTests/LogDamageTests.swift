@testable import CrossingCollector
import Foundation
import Testing

@Suite("Write-ahead log damage: skipped, reported, the records around it kept")
struct LogDamageTests {
    /// A segment of `count` records, record `i` received at `i` ns, and where each starts.
    static func segment(count: Int) -> (bytes: [UInt8], starts: [Int]) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        for index in 0..<count {
            starts.append(bytes.count)
            let body = Array("crossings,device=d\(index % 7),lane=walkway count=\(index)i,seq=\(index)i \(index)\n".utf8)
            bytes += WriteAheadLog.encode(WriteAheadLog.Record(precision: .s, receivedNs: Int64(index), body: body))
        }
        return (bytes, starts)
    }

    static func replayed(_ bytes: [UInt8]) -> (received: [Int64], scan: SegmentScan) {
        var received: [Int64] = []
        let scan = SegmentScan(bytes) { received.append($0.receivedNs) }
        return (received, scan)
    }

    @Test("Flipping any byte of a 120-record log loses that record only, and says where")
    func everyByteFlipped() {
        let (bytes, starts) = Self.segment(count: 120)
        let ends = Array(starts.dropFirst()) + [bytes.count]
        for position in bytes.indices {
            var damaged = bytes
            damaged[position] ^= 0xFF
            let hit = starts.lastIndex { $0 <= position }!
            let (received, scan) = Self.replayed(damaged)
            let expected = (0..<120).filter { $0 != hit }.map(Int64.init)
            #expect(received == expected, "byte \(position) flipped")
            let reported = scan.skipped + (scan.tail.map { [$0] } ?? [])
            #expect(reported == [SegmentScan.Damage(offset: starts[hit], bytes: ends[hit] - starts[hit], reason: reported.first?.reason ?? "")],
                "byte \(position) flipped: \(reported)")
            #expect((scan.tail != nil) == (hit == 119), "byte \(position): only the last record's damage is the tail")
        }
    }

    @Test("A log cut at any length keeps every whole record, and calls the rest its tail")
    func everyLength() {
        let (bytes, starts) = Self.segment(count: 120)
        let ends = Array(starts.dropFirst()) + [bytes.count]
        for length in 0...bytes.count {
            let (received, scan) = Self.replayed(Array(bytes.prefix(length)))
            let whole = ends.filter { $0 <= length }.count
            #expect(received == (0..<whole).map(Int64.init), "cut at \(length)")
            #expect(scan.skipped.isEmpty, "cut at \(length)")
            let boundary = length == 0 || ends.contains(length)
            #expect((scan.tail == nil) == boundary, "cut at \(length)")
            #expect(scan.validBytes == (whole == 0 ? 0 : ends[whole - 1]), "cut at \(length)")
        }
    }

    @Test("A store with a damaged record mid-log reopens with every other write, reports the loss, takes new writes, and verify finds it")
    func storeSkipsDamage() throws {
        let directory = temporaryDirectory("store-damage")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var offsets: [Int] = []
        do {
            let store = try CollectorStore(directory: directory, warn: { _ in })
            for batch in 0..<5 {
                offsets.append(store.wal.end.offset)
                let seqs = Int64(batch * 3 + 1)...Int64(batch * 3 + 3)
                _ = try store.ingest(CollectorStoreTests.body(CollectorStoreTests.records(device: "d1", seqs: seqs)), precision: .ns, receivedNs: 0)
                try store.sync()
            }
        }
        #expect(try StoreCheck(directory: directory).isClean)
        let log = directory + "/wal/00000001.log"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: log)))
        bytes[offsets[2] + 20] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: log))
        let kept = [1...3, 4...6, 10...12, 13...15].flatMap { CollectorStoreTests.records(device: "d1", seqs: $0) }
        let expected = kept.reduce(0) { $0 + $1.count }
        var warnings: [String] = []
        do {
            let store = try CollectorStore(directory: directory, warn: { warnings.append($0) })
            #expect(CollectorStoreTests.total(store.ledger) == expected)
            #expect(store.wal.damage == WriteAheadLog.Damage(skippedRegions: 1, skippedBytes: offsets[3] - offsets[2], tailBytes: 0))
            #expect(warnings.count == 1 && warnings[0].contains("offset \(offsets[2])") && warnings[0].contains("recovered"), "\(warnings)")
            _ = try store.ingest(CollectorStoreTests.body(CollectorStoreTests.records(device: "d2", seqs: 1...1)), precision: .ns, receivedNs: 0)
            try store.sync()
        }
        let reopened = try CollectorStore(directory: directory, warn: { _ in })
        #expect(CollectorStoreTests.total(reopened.ledger) == expected + CollectorStoreTests.records(device: "d2", seqs: 1...1)[0].count)
        let check = try StoreCheck(directory: directory)
        #expect(!check.isClean)
        #expect(check.segments.map { $0.scan.skipped.map(\.offset) } == [[offsets[2]]])
        #expect(check.segments.first?.scan.records == 5)
    }
}
