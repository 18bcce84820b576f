import CrossingCollector
import CrossingSimulation
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Collector crash recovery")
struct CollectorCrashTests {
    static let devicesCount = 10
    static let recordsPerDevice: Int64 = 120

    /// A simulated device: sends its records in batches, resends whatever was not acked after
    /// any failure, and remembers the highest record acknowledged.
    final class Device: @unchecked Sendable {
        let name: String
        let acked = Atomic<Int64>(0)
        let failures = Atomic<Int>(0)
        private var random: SplitMix64
        let port: Int

        init(index: Int, port: Int) {
            name = "pole-\(index)"
            random = SplitMix64(seed: UInt64(index) &* 7919 &+ 17)
            self.port = port
        }

        static func count(device: String, seq: Int64) -> Int64 {
            var mixer = SplitMix64(seed: UInt64(seq) &* 31 &+ UInt64(device.utf8.reduce(0) { $0 &* 131 &+ Int($1) }))
            return Int64(mixer.next() % 9) + 1
        }

        func record(_ seq: Int64) -> TestRecord {
            TestRecord(device: name, seq: seq, count: Self.count(device: name, seq: seq), crossingClass: seq % 3 == 0 ? "bus" : "car",
                minuteS: 1_663_750_800 + seq * 60)
        }

        func run(until deadline: Date) {
            var socket: LineSocket?
            while acked.load(ordering: .relaxed) < CollectorCrashTests.recordsPerDevice && Date() < deadline {
                if socket == nil {
                    socket = LineSocket(port: port, timeoutMs: 2000)
                    if socket == nil {
                        usleep(5_000)
                        continue
                    }
                }
                let first = acked.load(ordering: .relaxed) + 1
                let last = min(CollectorCrashTests.recordsPerDevice, first + Int64(random.next() % 4))
                let batch = signedBatch(device: name, key: deviceKey(name), records: (first...last).map(record))
                guard socket!.send(batch), let answer = socket!.readLine(), answer.hasPrefix("ack ") else {
                    failures.add(1, ordering: .relaxed)
                    socket = nil
                    continue
                }
                let through = Int64(answer.split(separator: " ")[1])!
                precondition(through == last, "\(name): ack \(through) for a batch through \(last)")
                acked.store(through, ordering: .relaxed)
                usleep(UInt32(5_000 + random.next() % 20_000))
            }
        }
    }

    @Test("kill -9 at random moments during ingest from 10 devices: every acked count survives, none is stored twice")
    func killNine() throws {
        let directory = temporaryDirectory("collector-crash")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = freePort()
        let devices = (0..<Self.devicesCount).map { Device(index: $0, port: port) }
        let keys = writeKeys(devices.map(\.name), in: directory)
        let arguments = ["--data", directory + "/data", "--tcp", "127.0.0.1:\(port)", "--http", "off", "--keys", keys]
        let stderrPath = directory + "/stderr"
        var server = try CollectorProcess(arguments: arguments, stderrPath: stderrPath, waitForPort: port)
        let deadline = Date().addingTimeInterval(60)
        let threads = devices.map { device in Thread { device.run(until: deadline) } }
        for thread in threads { thread.start() }
        var random = SplitMix64(seed: 2022)
        var kills = 0
        while kills < 12 && devices.contains(where: { $0.acked.load(ordering: .relaxed) < Self.recordsPerDevice }) {
            usleep(UInt32(20_000 + random.next() % 150_000))
            server.kill9()
            kills += 1
            // Acks read after the kill can only be for what the dead process synced.
            let acked = devices.map { $0.acked.load(ordering: .relaxed) }
            let ledger = try CollectorStore.readLedger(directory: directory + "/data", warn: { _ in })
            for (device, through) in zip(devices, acked) where through > 0 {
                let stored = ledger.storedSeqs[DeviceIncarnation(device: device.name, incarnation: 0)]?.ranges ?? []
                #expect(stored.first.map { $0.lowerBound == 1 && $0.upperBound >= through } == true,
                    "after kill \(kills): \(device.name) acked through \(through), stored \(stored)")
            }
            Self.expectTotals(ledger, devices: devices)
            server = try CollectorProcess(arguments: arguments, stderrPath: stderrPath, waitForPort: port)
        }
        while threads.contains(where: { !$0.isFinished }) { usleep(10_000) }
        #expect(server.terminate() == 0)
        #expect(kills >= 5, "the devices finished before the collector was killed enough times")
        let ledger = try CollectorStore.readLedger(directory: directory + "/data", warn: { _ in })
        for device in devices {
            #expect(device.acked.load(ordering: .relaxed) == Self.recordsPerDevice, "\(device.name) did not finish")
            #expect(ledger.storedSeqs[DeviceIncarnation(device: device.name, incarnation: 0)]?.ranges == [1...Self.recordsPerDevice])
        }
        Self.expectTotals(ledger, devices: devices)
        let failures = devices.reduce(0) { $0 + $1.failures.load(ordering: .relaxed) }
        #expect(failures > 0, "no device ever saw the collector die")
    }

    /// Each device's stored total is exactly the sum of its stored records' counts: a record
    /// stored twice, or half of one, would break it.
    static func expectTotals(_ ledger: Ledger, devices: [Device]) {
        for device in devices {
            let stored = ledger.totals.sum { $0.device == device.name }
            let seqs = ledger.storedSeqs[DeviceIncarnation(device: device.name, incarnation: 0)]?.ranges ?? []
            let expected = seqs.flatMap { Array($0) }.reduce(0) { $0 + Device.count(device: device.name, seq: $1) }
            #expect(stored == expected, "\(device.name): stored \(stored), its records \(seqs) sum to \(expected)")
        }
    }
}
