import CrossingCollector
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Collector servers: authentication, limits, relay")
struct CollectorServerTests {
    static let devices = ["gate-1", "gate-2"]

    static func collector(_ name: String, options: ServerOptions = ServerOptions(), relay: (String) throws -> Relay? = { _ in nil }) throws
        -> InProcessCollector
    {
        let directory = temporaryDirectory(name)
        let keys = try DeviceKeys.load(path: writeKeys(devices, in: directory))
        return try InProcessCollector(directory: directory, keys: keys, options: options, relay: try relay(directory + "/data"))
    }

    static func stored(_ collector: InProcessCollector) -> Int64 {
        collector.server.store.ledger.totals.values.reduce(0, +)
    }

    static func records(_ device: String, _ seqs: ClosedRange<Int64>) -> [TestRecord] {
        seqs.map { TestRecord(device: device, seq: $0, count: 2, crossingClass: "car", minuteS: 1_663_750_800 + 60 * $0) }
    }

    @Test("A batch signed with the wrong key, or from a device with no key, is refused and logged; nothing is stored")
    func wrongKey() throws {
        let collector = try Self.collector("server-wrong-key")
        defer {
            collector.stop()
            try? FileManager.default.removeItem(atPath: collector.directory)
        }
        let forged = try #require(LineSocket(port: collector.tcpPort))
        forged.send(signedBatch(device: "gate-1", key: deviceKey("someone-else"), records: Self.records("gate-1", 1...3)))
        #expect(forged.readLine() == "nack bad-hmac")
        #expect(forged.readLine() == nil, "the connection is closed after a nack")
        let stranger = try #require(LineSocket(port: collector.tcpPort))
        stranger.send(signedBatch(device: "intruder", key: deviceKey("intruder"), records: Self.records("intruder", 1...1)))
        #expect(stranger.readLine() == "nack unknown-device")
        #expect(Self.stored(collector) == 0)
        #expect(collector.server.store.ledger.points == 0)
        #expect(collector.log.contains { $0.contains("batch refused (bad-hmac)") && $0.contains("nothing stored") })
        #expect(collector.log.contains { $0.contains("batch refused (unknown-device)") })
    }

    @Test("A replayed old batch stores nothing and is logged, even one without numbered records")
    func replay() throws {
        let collector = try Self.collector("server-replay")
        defer {
            collector.stop()
            try? FileManager.default.removeItem(atPath: collector.directory)
        }
        let key = deviceKey("gate-1")
        let health = "device_health,site=test-site,device=gate-1 uptime_s=5i,time_known=f\n"
        let greeting = signedBatch(device: "gate-1", key: key, records: [], extraLines: health)
        let old = signedBatch(device: "gate-1", key: key, records: Self.records("gate-1", 1...3))
        let newer = signedBatch(device: "gate-1", key: key, records: Self.records("gate-1", 4...6))
        let device = try #require(LineSocket(port: collector.tcpPort))
        for batch in [greeting, old, newer] {
            device.send(batch)
            #expect(device.readLine()?.hasPrefix("ack ") == true)
        }
        let points = collector.server.store.ledger.points
        let total = Self.stored(collector)
        #expect(total == 12)
        let attacker = try #require(LineSocket(port: collector.tcpPort))
        for batch in [old, greeting] {
            attacker.send(batch)
            #expect(attacker.readLine()?.hasPrefix("ack ") == true)
        }
        #expect(collector.server.store.ledger.points == points)
        #expect(Self.stored(collector) == total)
        #expect(collector.log.filter { $0.contains("stored before (a resend or a replay); nothing stored") }.count == 2)
        #expect(collector.server.metrics.batches["repeat"] == 2)
    }

    @Test("HTTP writes need the device's write token, not its key; a token writes only its own device's lines")
    func httpAuth() throws {
        let collector = try Self.collector("server-http-auth")
        defer {
            collector.stop()
            try? FileManager.default.removeItem(atPath: collector.directory)
        }
        let body = Array(Self.records("gate-1", 1...2).map(\.line).joined().utf8)
        let url = collector.httpURL + "/write?db=counts"
        #expect(try HTTPClient.request("POST", url, body: body).status == 401)
        #expect(try HTTPClient.request("POST", url, headers: [writeAuthorization("gate-1", key: deviceKey("gate-2"))], body: body).status == 401)
        // The key itself is no token: whoever holds a token cannot sign, and the key is never sent.
        #expect(try HTTPClient.request("POST", url, headers: [("Authorization", "Token gate-1:\(hex(deviceKey("gate-1")))")], body: body).status == 401)
        #expect(Self.stored(collector) == 0)
        let other = try HTTPClient.request("POST", url, headers: [writeAuthorization("gate-2", key: deviceKey("gate-2"))], body: body)
        #expect(other.status == 400 && other.text.contains("device tag 'gate-1' is not the writer's device 'gate-2'"))
        #expect(Self.stored(collector) == 0)
        let basic = Data("gate-1:\(hex(DeviceKeys.writeToken(key: deviceKey("gate-1"))))".utf8).base64EncodedString()
        #expect(try HTTPClient.request("POST", url, headers: [("Authorization", "Basic \(basic)")], body: body).status == 204)
        #expect(Self.stored(collector) == 4)
        let ping = try HTTPClient.request("GET", collector.httpURL + "/ping")
        #expect(ping.status == 204)
        // A device exporting over HTTP learns wall time from the Date header, as from InfluxDB.
        let date = ping.headers.first { $0.name.lowercased() == "date" }?.value ?? ""
        #expect(date.hasSuffix(" GMT") && date.count == 29, "Date: \(date)")
        let metrics = try HTTPClient.request("GET", collector.httpURL + "/metrics").text
        #expect(metrics.contains("checkpoint_collector_lines_accepted_total 2"))
        #expect(metrics.contains("checkpoint_collector_http_responses_total{code=\"401\"} 3"))
    }

    @Test("Past a limit a client gets a clear error and is closed; other clients go on")
    func limits() throws {
        var options = ServerOptions()
        options.connectionsMax = 8
        options.lineBytesMax = 1024
        options.bodyBytesMax = 4096
        options.headerBytesMax = 512
        let collector = try Self.collector("server-limits", options: options)
        defer {
            collector.stop()
            try? FileManager.default.removeItem(atPath: collector.directory)
        }
        let device = try #require(LineSocket(port: collector.tcpPort))
        do {
            // Closed at the end of this scope, so that its slot is free for the count below.
            let long = try #require(LineSocket(port: collector.tcpPort))
            long.send(Array(repeating: UInt8(ascii: "a"), count: 5000))
            #expect(long.readLine() == "nack line-too-long")
        }
        let big = try HTTPClient.request("POST", collector.httpURL + "/write?db=x", body: Array(repeating: 0x61, count: 5000))
        #expect(big.status == 413 && big.text.contains("over the limit of 4096"))
        let headers = try HTTPClient.request("GET", collector.httpURL + "/ping", headers: [("X-Padding", String(repeating: "p", count: 600))])
        #expect(headers.status == 431)
        usleep(300_000)  // the server sees those clients close and frees their slots
        let idle = (0..<7).compactMap { _ in LineSocket(port: collector.tcpPort) }
        #expect(idle.count == 7)
        usleep(200_000)
        let refused = try #require(LineSocket(port: collector.tcpPort))
        #expect(refused.readLine() == "nack busy")
        device.send(signedBatch(device: "gate-2", key: deviceKey("gate-2"), records: Self.records("gate-2", 1...2)))
        #expect(device.readLine()?.hasPrefix("ack 2 ") == true)
        #expect(Self.stored(collector) == 4)
        let broken = collector.server.metrics.limitsBroken
        #expect(broken["line_bytes"] == 1 && broken["body_bytes"] == 1 && broken["header_bytes"] == 1)
        #expect(collector.server.metrics.connectionsRefused == 1)
    }

    @Test("The relay forwards every accepted line once, in order, to another store's /write")
    func relay() throws {
        let target = try InProcessCollector(directory: temporaryDirectory("server-relay-target"), keys: nil)
        defer {
            target.stop()
            try? FileManager.default.removeItem(atPath: target.directory)
        }
        let relayLog: @Sendable (String) -> Void = { _ in }
        var relay: Relay?
        let source = try Self.collector("server-relay-source") { data in
            relay = try Relay(url: target.httpURL + "/write?db=big", dataDirectory: data, log: relayLog)
            return relay
        }
        let thread = relay!.start()
        defer {
            relay!.stop()
            while !thread.isFinished { usleep(1000) }
            source.stop()
            try? FileManager.default.removeItem(atPath: source.directory)
        }
        let device = try #require(LineSocket(port: source.tcpPort))
        for batch in 0..<10 {
            let seqs = Int64(batch * 5 + 1)...Int64(batch * 5 + 5)
            device.send(signedBatch(device: "gate-1", key: deviceKey("gate-1"), records: Self.records("gate-1", seqs)))
            #expect(device.readLine()?.hasPrefix("ack ") == true)
        }
        let deadline = Date().addingTimeInterval(10)
        while relay!.linesRelayed < 50 && Date() < deadline { usleep(10_000) }
        #expect(relay!.linesRelayed == 50)
        #expect(target.server.store.ledger.totals == source.server.store.ledger.totals)
        let cursor = try String(contentsOfFile: source.directory + "/data/relay.cursor", encoding: .utf8)
        #expect(cursor == "1 \(source.server.store.wal.end.offset)\n")
    }
}
