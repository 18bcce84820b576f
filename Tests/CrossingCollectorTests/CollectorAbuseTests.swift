import CrossingCollector
import CrossingSimulation
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The collector under abuse, as a separate process so that its memory is its own: 1,000
/// connections held open, a 100 MB line and a 100 MB body, slow senders, and random bytes on
/// both ports, while a genuine device and an HTTP writer keep writing.
@Suite("Collector under abuse")
struct CollectorAbuseTests {
    static let idleConnections = 1000
    static let hundredMegabytes = 100 << 20

    /// A genuine writer (a device on TCP, or a client of HTTP): one write after another, each
    /// acknowledged in time.
    final class Writer: @unchecked Sendable {
        /// Set to end the writer's loop.
        let stop = Atomic<Bool>(false)
        let acked = Atomic<Int64>(0)
        let failures = Mutex<[String]>([])
        let slowestMs = Atomic<Int>(0)

        func note(_ failure: String) { failures.withLock { $0.append(failure) } }

        func timed(_ body: () -> Bool) {
            let start = Date()
            guard body() else { return }
            let ms = Int(Date().timeIntervalSince(start) * 1000)
            if ms > slowestMs.load(ordering: .relaxed) { slowestMs.store(ms, ordering: .relaxed) }
        }
    }

    static func record(_ device: String, _ seq: Int64) -> TestRecord {
        TestRecord(device: device, seq: seq, count: 1, crossingClass: "car", minuteS: 1_663_750_800 + seq * 60)
    }

    @Test("1,000 connections, a 100 MB line and body, slow senders and random bytes: the collector stays up, bounded, and genuine data flows")
    func abuse() throws {
        raiseOpenFileLimit()
        let directory = temporaryDirectory("collector-abuse")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tcpPort = freePort()
        let httpPort = freePort()
        let keys = writeKeys(["pole-good", "web-1"], in: directory)
        let server = try CollectorProcess(
            arguments: ["--data", directory + "/data", "--tcp", "127.0.0.1:\(tcpPort)", "--http", "127.0.0.1:\(httpPort)", "--keys", keys,
                        "--request-timeout", "2", "--idle-timeout", "4"],
            stderrPath: directory + "/stderr", waitForPort: tcpPort)
        let http = "http://127.0.0.1:\(httpPort)"
        let baselineKiB = server.peakResidentKiB() ?? 0

        // The genuine writers, from the first moment to the last.
        let (device, deviceThread) = Self.startDevice(port: tcpPort)
        let (web, webThread) = Self.startWeb(url: http)

        // 1,000 connections held open, half on each port; a few say half a thing, then nothing.
        var held: [LineSocket] = []
        for index in 0..<Self.idleConnections {
            guard let socket = LineSocket(port: index % 2 == 0 ? tcpPort : httpPort, timeoutMs: 5000) else { continue }
            if index % 50 == 0 { socket.send(Array((index % 4 == 0 ? "crossings,site=x count=1i" : "POST /write?db=x HTTP/1.1\r\n").utf8)) }
            held.append(socket)
        }
        #expect(held.count == Self.idleConnections)
        let open = try Self.gauge("connections_open", http)
        #expect(open >= Int64(Self.idleConnections), "the collector holds \(open) connections")

        // A 100 MB line on TCP, and 100 MB bodies on HTTP (declared, and chunked).
        let (longLine, bigBody, chunkedBody) = Self.sendHundredMegabytes(tcpPort: tcpPort, httpPort: httpPort)

        // Slow senders: a byte every 100 ms, on both ports; the request timeout (2 s) ends them.
        let slowDevice = Thread.detached { Self.slowSend(port: tcpPort, Array(signedBatch(device: "pole-good", key: deviceKey("pole-good"), records: [Self.record("pole-good", 999)]))) }
        let slowHTTP = Thread.detached { Self.slowSend(port: httpPort, Array("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }

        // Random bytes, seeded, on both ports, 40 connections at once.
        var random = SplitMix64(seed: 0xBADB17E5)
        let garbage = (0..<40).compactMap { index in LineSocket(port: index % 2 == 0 ? tcpPort : httpPort, timeoutMs: 5000) }
        for socket in garbage { socket.send((0..<(256 << 10)).map { _ in UInt8(truncatingIfNeeded: random.next()) }) }
        let garbageAnswers = garbage.map { $0.readLine() ?? "(closed)" }
        #expect(garbage.count == 40)
        #expect(garbageAnswers.allSatisfy { $0.hasPrefix("nack ") || $0.hasPrefix("HTTP/1.1 4") || $0 == "(closed)" }, "\(Set(garbageAnswers))")

        let longAnswer = try longLine.value()
        #expect(longAnswer.hasPrefix("nack line-too-long") || longAnswer.hasPrefix("(closed)"), "\(longAnswer)")
        #expect(try bigBody.value().hasPrefix("HTTP/1.1 413"))
        #expect(try chunkedBody.value().hasPrefix("HTTP/1.1 413"))
        #expect(try slowDevice.value() == "nack timeout")
        #expect(try slowHTTP.value().hasPrefix("HTTP/1.1 408"))

        // The held connections go once idle past the timeout, and the writers went on throughout.
        usleep(1_000_000)
        device.stop.store(true, ordering: .relaxed)
        web.stop.store(true, ordering: .relaxed)
        while !deviceThread.isFinished || !webThread.isFinished { usleep(10_000) }
        let peakKiB = server.peakResidentKiB() ?? 0
        print("collector under abuse: peak RSS \(peakKiB / 1024) MiB (at start \(baselineKiB / 1024) MiB); "
            + "device batches acked \(device.acked.load(ordering: .relaxed)), slowest \(device.slowestMs.load(ordering: .relaxed)) ms; "
            + "HTTP writes stored \(web.acked.load(ordering: .relaxed)), slowest \(web.slowestMs.load(ordering: .relaxed)) ms")
        #expect(device.failures.withLock { $0 }.isEmpty)
        #expect(web.failures.withLock { $0 }.isEmpty)
        #expect(device.acked.load(ordering: .relaxed) >= 20 && web.acked.load(ordering: .relaxed) >= 20)
        // Far below the 100 MB that buffering the long line or a body would have taken.
        #expect(peakKiB > 0 && peakKiB < 96 << 10, "peak RSS \(peakKiB) KiB")
        held.removeAll()

        #expect(server.terminate() == 0)
        let ledger = try CollectorStore.readLedger(directory: directory + "/data", warn: { _ in })
        #expect(ledger.storedSeqs[DeviceIncarnation(device: "pole-good", incarnation: 0)]?.ranges == [1...device.acked.load(ordering: .relaxed)])
        #expect(ledger.storedSeqs[DeviceIncarnation(device: "web-1", incarnation: 0)]?.ranges == [1...web.acked.load(ordering: .relaxed)])
    }

    /// The genuine device: a signed batch every 20 ms until `stop`, each to be acked.
    static func startDevice(port tcpPort: Int) -> (Writer, Thread) {
        let device = Writer()
        let deviceThread = Thread {
            var seq: Int64 = 0
            var socket: LineSocket?
            while !device.stop.load(ordering: .relaxed) {
                if socket == nil { socket = LineSocket(port: tcpPort, timeoutMs: 5000) }
                guard let open = socket else { device.note("connect failed"); usleep(50_000); continue }
                let next = seq + 1
                device.timed {
                    guard open.send(signedBatch(device: "pole-good", key: deviceKey("pole-good"), records: [Self.record("pole-good", next)])),
                        let answer = open.readLine(), answer.hasPrefix("ack \(next) ")
                    else {
                        device.note("batch \(next) not acked")
                        socket = nil
                        return false
                    }
                    seq = next
                    return true
                }
                device.acked.store(seq, ordering: .relaxed)
                usleep(20_000)
            }
        }
        deviceThread.start()
        return (device, deviceThread)
    }

    /// The genuine HTTP writer: a write every 20 ms until `stop`, each to be stored.
    static func startWeb(url http: String) -> (Writer, Thread) {
        let web = Writer()
        let webThread = Thread {
            var seq: Int64 = 0
            let authorization = writeAuthorization("web-1", key: deviceKey("web-1"))
            while !web.stop.load(ordering: .relaxed) {
                let next = seq + 1
                web.timed {
                    let body = Array(Self.record("web-1", next).line.utf8)
                    guard let response = try? HTTPClient.request("POST", http + "/write?db=counts", headers: [authorization], body: body),
                        response.status == 204
                    else {
                        web.note("write \(next) not stored")
                        return false
                    }
                    seq = next
                    return true
                }
                web.acked.store(seq, ordering: .relaxed)
                usleep(20_000)
            }
        }
        webThread.start()
        return (web, webThread)
    }

    /// A 100 MB line on TCP, a 100 MB body declared and one chunked on HTTP, each on its own
    /// thread; their results are the first answer line each got.
    static func sendHundredMegabytes(tcpPort: Int, httpPort: Int)
        -> (DetachedResult<String>, DetachedResult<String>, DetachedResult<String>)
    {
        let longLine = Thread.detached {
            guard let socket = LineSocket(port: tcpPort) else { return "no connection" }
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            var sent = 0
            while sent < Self.hundredMegabytes && socket.send(chunk) { sent += chunk.count }
            let answer = socket.readLine() ?? "(closed)"
            return "\(answer) after \(sent >> 20) MiB"
        }
        let bigBody = Thread.detached {
            guard let socket = LineSocket(port: httpPort) else { return "no connection" }
            socket.send(Array("POST /write?db=x HTTP/1.1\r\nHost: x\r\nContent-Length: \(Self.hundredMegabytes)\r\n\r\n".utf8))
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            var sent = 0
            while sent < Self.hundredMegabytes && socket.send(chunk) { sent += chunk.count }
            return socket.readLine() ?? "(closed)"
        }
        let chunkedBody = Thread.detached {
            guard let socket = LineSocket(port: httpPort) else { return "no connection" }
            socket.send(Array("POST /write?db=x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
            let chunk = Array("100000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20) + Array("\r\n".utf8)
            var sent = 0
            while sent < Self.hundredMegabytes && socket.send(chunk) { sent += 1 << 20 }
            return socket.readLine() ?? "(closed)"
        }
        return (longLine, bigBody, chunkedBody)
    }

    /// Sends `bytes` one at a time, 100 ms apart, and returns the first answer line.
    static func slowSend(port: Int, _ bytes: [UInt8]) -> String {
        guard let socket = LineSocket(port: port, timeoutMs: 10_000) else { return "no connection" }
        for byte in bytes.prefix(60) {
            guard socket.send([byte]) else { break }
            usleep(100_000)
        }
        return socket.readLine() ?? "(closed)"
    }

    static func gauge(_ name: String, _ http: String) throws -> Int64 {
        let text = try HTTPClient.request("GET", http + "/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("checkpoint_collector_\(name) ") }
        return line.flatMap { Int64($0.split(separator: " ")[1]) } ?? -1
    }

    /// The test process holds 1,000 sockets too.
    func raiseOpenFileLimit() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// A thread whose closure's result can be waited for.
final class DetachedResult<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Value?

    init(_ body: @escaping @Sendable () -> Value) {
        Thread {
            self.result = body()
            self.done.signal()
        }.start()
    }

    func value() throws -> Value {
        guard done.wait(timeout: .now() + 60) == .success, let result else { throw CollectorError("a test thread did not finish in 60 s") }
        return result
    }
}

extension Thread {
    static func detached<Value: Sendable>(_ body: @escaping @Sendable () -> Value) -> DetachedResult<Value> { DetachedResult(body) }
}
