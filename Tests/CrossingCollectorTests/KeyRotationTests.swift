import CrossingCollector
import Foundation
import Synchronization
import Testing

@Suite("Write tokens and key rotation")
struct KeyRotationTests {
    static func records(_ device: String, _ seqs: ClosedRange<Int64>) -> [TestRecord] {
        seqs.map { TestRecord(device: device, seq: $0, count: 3, crossingClass: "car", minuteS: 1_663_750_800 + 60 * $0) }
    }

    static func total(_ collector: InProcessCollector) -> Int64 {
        collector.server.store.ledger.totals.values.reduce(0, +)
    }

    @Test("The write token is HMAC-SHA256(key, \"http-write\"), as openssl computes it for docs/collector-api.md")
    func tokenKnownAnswer() {
        // printf http-write | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1e1f
        let key = (0..<32).map { UInt8($0) }
        #expect(hex(DeviceKeys.writeToken(key: key)) == "d9dea6e8079a1f1b58c39abd30182a91287523df1e2c2d1ec054c13f7ae353c5")
    }

    @Test("A batch signed with a device's HTTP write token is refused: seeing a token does not let anyone sign")
    func tokenCannotSign() throws {
        let directory = temporaryDirectory("keys-token-sign")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let collector = try InProcessCollector(directory: directory, keys: DeviceKeys(keys: ["gate-1": deviceKey("gate-1")]))
        defer { collector.stop() }
        let token = DeviceKeys.writeToken(key: deviceKey("gate-1"))
        #expect(token != deviceKey("gate-1"))
        let forger = try #require(LineSocket(port: collector.tcpPort))
        forger.send(signedBatch(device: "gate-1", key: token, records: Self.records("gate-1", 1...2)))
        #expect(forger.readLine() == "nack bad-hmac")
        let device = try #require(LineSocket(port: collector.tcpPort))
        device.send(signedBatch(device: "gate-1", key: deviceKey("gate-1"), records: Self.records("gate-1", 1...2)))
        #expect(device.readLine()?.hasPrefix("ack ") == true)
        #expect(Self.total(collector) == 6)
    }

    @Test("A key rotation under load refuses and loses nothing: old and new keys both work in the window, the old one stops after")
    func rotationUnderLoad() throws {
        let directory = temporaryDirectory("keys-rotation")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = deviceKey("gate-1")
        let new = deviceKey("gate-1 after rotation")
        let bystander = deviceKey("gate-2")
        let collector = try InProcessCollector(directory: directory, keys: DeviceKeys(keys: ["gate-1": old, "gate-2": bystander]))
        defer { collector.stop() }
        // Load beside the rotation: another device writing over HTTP throughout.
        let stop = Atomic<Bool>(false)
        let loadFailures = Atomic<Int>(0)
        let loadWrites = Atomic<Int>(0)
        let load = Thread {
            var seq: Int64 = 0
            while !stop.load(ordering: .relaxed) {
                seq += 1
                let body = Array(Self.records("gate-2", seq...seq)[0].line.utf8)
                let status = try? HTTPClient.request(
                    "POST", collector.httpURL + "/write?db=counts", headers: [writeAuthorization("gate-2", key: bystander)], body: body
                ).status
                if status != 204 { loadFailures.add(1, ordering: .relaxed) }
                loadWrites.add(1, ordering: .relaxed)
            }
        }
        load.start()
        let device = try #require(LineSocket(port: collector.tcpPort))
        var key = old
        var refused: [String] = []
        for step in 0..<60 {
            // The window opens at step 20: the new key current, the old one still accepted. Two
            // answered round trips later every turn of the loop has it, and the device (and its
            // HTTP writes) move to the new key. At step 40 the old key goes.
            if step == 20 { collector.server.replaceKeys(DeviceKeys(keyring: ["gate-1": [new, old], "gate-2": [bystander]])) }
            if step == 22 { key = new }
            if step == 40 { collector.server.replaceKeys(DeviceKeys(keyring: ["gate-1": [new], "gate-2": [bystander]])) }
            let seq = Int64(step) * 2 + 1
            device.send(signedBatch(device: "gate-1", key: key, records: Self.records("gate-1", seq...seq)))
            if let answer = device.readLine(), !answer.hasPrefix("ack ") { refused.append("step \(step) batch: \(answer)") }
            let body = Array(Self.records("gate-1", (seq + 1)...(seq + 1))[0].line.utf8)
            let status = try HTTPClient.request(
                "POST", collector.httpURL + "/write?db=counts", headers: [writeAuthorization("gate-1", key: key)], body: body
            ).status
            if status != 204 { refused.append("step \(step) write: \(status)") }
        }
        stop.store(true, ordering: .relaxed)
        while !load.isFinished { usleep(1000) }
        #expect(refused.isEmpty, "\(refused)")
        #expect(loadFailures.load(ordering: .relaxed) == 0)
        #expect(loadWrites.load(ordering: .relaxed) > 10)
        // Every record of gate-1 (120) and of gate-2 stored once.
        let gate1 = collector.server.store.ledger.storedSeqs[DeviceIncarnation(device: "gate-1", incarnation: 0)]?.ranges
        #expect(gate1 == [1...120])
        #expect(collector.server.store.ledger.storedSeqs[DeviceIncarnation(device: "gate-2", incarnation: 0)]?.ranges == [1...Int64(loadWrites.load(ordering: .relaxed))])
        // After the window the old key and its token are refused.
        let late = try #require(LineSocket(port: collector.tcpPort))
        late.send(signedBatch(device: "gate-1", key: old, records: Self.records("gate-1", 121...121)))
        #expect(late.readLine() == "nack bad-hmac")
        let body = Array(Self.records("gate-1", 122...122)[0].line.utf8)
        #expect(try HTTPClient.request("POST", collector.httpURL + "/write?db=counts", headers: [writeAuthorization("gate-1", key: old)], body: body).status == 401)
        #expect(collector.log.filter { $0.hasPrefix("keys replaced") }.count == 2)
    }
}
