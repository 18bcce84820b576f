import CrossingCore
import CrossingDevice

/// What the export saw. Counters only grow while the device runs.
public struct ExportHealth: Equatable, Sendable {
    public var requests: UInt64 = 0
    public var recordsAcknowledged: UInt64 = 0
    /// Records the target refused with a 4xx: dropped and counted, never resent.
    public var recordsRefused: UInt64 = 0
    public var connectFailures: UInt64 = 0
    /// Connections that broke, or answered nothing, with a request under way.
    public var resets: UInt64 = 0
    /// 5xx answers and answers that were not HTTP: the request goes again later.
    public var serverErrors: UInt64 = 0
    public var lastStatus: UInt16 = 0
    /// The start of the body of the last 4xx answer, for the operator.
    public var lastRefusal = ShortText()

    public init() {}
}

/// Figures for the `device_health` line that rides with each request.
struct HealthFigures {
    var uptimeS: Int64 = 0
    var frames: Int64 = 0
    var busErrors: Int64 = 0
    var framesRejected: Int64 = 0
    var journalCommits: Int64 = 0
    var silentLanes: Int64 = 0
}

/// Sends the outbox to InfluxDB or VictoriaMetrics as `POST /write` requests, written here
/// over any non-blocking `Link`, one step per main-loop tick and never waiting.
///
/// A request carries the oldest stamped records that fit in `bodyBytesMax`. 2xx acknowledges
/// them, and its `Date` header teaches the device wall time. 4xx refuses them for good: they
/// are dropped and counted, and the status and the body's start kept in health. Anything else
/// (no connection, a reset, a 5xx, no answer in `answerTimeoutUs`) closes the link and sends
/// them again after a capped exponential backoff with jitter. Bytes in flight are bounded by
/// the request buffers.
public struct HTTPExporter {
    public static var bodyBytesMax: Int { 8192 }
    static var backoffMinMs: UInt32 { 1000 }
    static var backoffMaxMs: UInt32 { 300_000 }
    static var answerTimeoutUs: UInt64 { 10_000_000 }

    enum State {
        case idle
        case connecting
        case sending
        case awaiting
    }

    public private(set) var health = ExportHealth()
    private let host: ShortText
    private let path: ShortText
    private var state = State.idle
    private var retryAtUs: UInt64 = 0
    private var backoffMs: UInt32 = 0
    private var jitter: UInt32
    private var head = InlineArray<256, UInt8>(repeating: 0)
    private var headCount = 0
    private var body = LineBuffer<8192>()
    private var sentBytes = 0
    private var response = InlineArray<1024, UInt8>(repeating: 0)
    private var responseCount = 0
    private var requestStartUs: UInt64 = 0
    private var recordsInRequest = 0

    /// Whether a request is under way: connecting, sending, or waiting for its answer.
    public var isBusy: Bool { state != .idle }

    /// An exporter to `target`, `http://host[:port]/path?query`; nil when it is not one.
    public init?(target: ShortText, seed: UInt32) {
        guard target.hasPrefix("http://") else { return nil }
        var hostBytes = InlineArray<64, UInt8>(repeating: 0)
        var pathBytes = InlineArray<64, UInt8>(repeating: 0)
        var hostCount = 0
        var pathCount = 0
        for index in 7..<target.count {
            if pathCount == 0 && target[index] != 0x2F {
                hostBytes[hostCount] = target[index]
                hostCount += 1
            } else {
                pathBytes[pathCount] = target[index]
                pathCount += 1
            }
        }
        guard hostCount > 0, let host = ShortText(hostBytes.span.extracting(0..<hostCount)),
            let path = ShortText(pathBytes.span.extracting(0..<pathCount))
        else { return nil }
        self.host = host
        self.path = path.isEmpty ? ShortText(static: "/write") : path
        jitter = seed | 1
    }

    /// One step: start, continue or finish a request. Call once per tick.
    mutating func step(
        link: inout some Link, outbox: inout Outbox<64>, wall: inout WallTime, config: DeviceConfig,
        figures: HealthFigures, nowUs: UInt64
    ) {
        do throws(LinkError) {
            switch state {
            case .idle:
                // Records wait for wall time, and a ping's `Date` answer brings it.
                let due = outbox.sendableCount > 0 || (outbox.count > 0 && wall.offsetNs == nil)
                guard nowUs >= retryAtUs, due else { return }
                state = .connecting
                try connect(&link, outbox: &outbox, wall: wall, config: config, figures: figures, nowUs: nowUs)
            case .connecting:
                try connect(&link, outbox: &outbox, wall: wall, config: config, figures: figures, nowUs: nowUs)
            case .sending:
                try send(&link, nowUs: nowUs)
            case .awaiting:
                try receiveAnswer(&link, outbox: &outbox, wall: &wall, nowUs: nowUs)
            }
        } catch {
            if state == .connecting { health.connectFailures &+= 1 } else { health.resets &+= 1 }
            fail(&link, outbox: &outbox, nowUs: nowUs)
        }
    }

    private mutating func connect(
        _ link: inout some Link, outbox: inout Outbox<64>, wall: WallTime, config: DeviceConfig, figures: HealthFigures,
        nowUs: UInt64
    ) throws(LinkError) {
        guard try link.connect() == .connected else { return }
        build(outbox: &outbox, wall: wall, config: config, figures: figures, nowUs: nowUs)
        state = .sending
        try send(&link, nowUs: nowUs)
    }

    /// The oldest stamped records that fit, then the health line, then the head; or, while the
    /// device does not know wall time, `GET /ping`, to learn it from the answer's `Date`.
    private mutating func build(outbox: inout Outbox<64>, wall: WallTime, config: DeviceConfig, figures: HealthFigures, nowUs: UInt64) {
        body.removeAll()
        recordsInRequest = 0
        headCount = 0
        sentBytes = 0
        requestStartUs = nowUs
        health.requests &+= 1
        guard wall.offsetNs != nil else {
            put("GET /ping HTTP/1.1\r\nHost: ")
            put(host)
            put("\r\n\r\n")
            return
        }
        let ready = outbox.sendableCount
        while recordsInRequest < ready {
            do throws(LineError) {
                try ExportLines.write(outbox[outbox.sentCount + recordsInRequest], config: config, into: &body)
                recordsInRequest += 1
            } catch {
                break
            }
        }
        precondition(recordsInRequest > 0, "a record's lines always fit an empty body")
        outbox.markSent(recordsInRequest)
        if let nowNs = wall.wallNs(atUs: nowUs) {
            body.begin("device_health")
            body.tag("site", config.site)
            body.tag("device", config.device)
            body.field("uptime_s", figures.uptimeS)
            body.field("frames", figures.frames)
            body.field("bus_errors", figures.busErrors)
            body.field("frames_rejected", figures.framesRejected)
            body.field("journal_commits", figures.journalCommits)
            body.field("silent_lanes", figures.silentLanes)
            body.field("outbox_records", Int64(outbox.count))
            body.field("bins_merged", Int64(truncatingIfNeeded: outbox.binsMergedAway))
            body.field("records_refused", Int64(truncatingIfNeeded: health.recordsRefused))
            body.field("export_failures", Int64(truncatingIfNeeded: health.connectFailures &+ health.resets &+ health.serverErrors))
            try? body.end(timestampNs: nowNs)
        }
        put("POST ")
        put(path)
        put(" HTTP/1.1\r\nHost: ")
        put(host)
        put("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ")
        putDecimal(body.committedCount)
        put("\r\n\r\n")
    }

    private mutating func send(_ link: inout some Link, nowUs: UInt64) throws(LinkError) {
        let total = headCount + body.committedCount
        while sentBytes < total {
            let sent: Int
            if sentBytes < headCount {
                sent = try link.send(head.span.extracting(sentBytes..<headCount))
            } else {
                let offset = sentBytes - headCount
                sent = try body.withBytes { (bytes: Span<UInt8>) throws(LinkError) -> Int in
                    try link.send(bytes.extracting(offset..<bytes.count))
                }
            }
            guard sent > 0 else { return try checkTimeout(nowUs) }
            sentBytes += sent
        }
        state = .awaiting
        responseCount = 0
    }

    private mutating func receiveAnswer(_ link: inout some Link, outbox: inout Outbox<64>, wall: inout WallTime, nowUs: UInt64) throws(LinkError) {
        if responseCount < response.count {
            let from = responseCount
            var got = 0
            do {
                var whole = response.mutableSpan
                var room = whole.extracting(from..<whole.count)
                got = try link.receive(into: &room)
            }
            responseCount += got
        }
        guard let answer = HTTPAnswer(response.span.extracting(0..<responseCount), full: responseCount == response.count) else {
            return try checkTimeout(nowUs)
        }
        health.lastStatus = answer.status
        if let dateS = answer.dateS { wall.learn(wallNs: dateS &* 1_000_000_000 &+ 500_000_000, nowUs: nowUs) }
        switch answer.status {
        case _ where recordsInRequest == 0:
            // A ping: it either taught the time or must be tried again later.
            if wall.offsetNs == nil {
                health.serverErrors &+= 1
                fail(&link, outbox: &outbox, nowUs: nowUs)
                return
            }
        case 200..<300:
            let last = outbox[outbox.sentCount - 1].seq
            health.recordsAcknowledged &+= UInt64(outbox.acknowledge(throughSeq: last))
            backoffMs = 0
        case 400..<500:
            health.recordsRefused &+= UInt64(outbox.dropSent())
            var refusal = InlineArray<64, UInt8>(repeating: 0)
            let length = min(64, answer.bodyCount)
            for index in 0..<length { refusal[index] = response[answer.bodyStart + index] }
            health.lastRefusal = ShortText(refusal.span.extracting(0..<length)) ?? ShortText()
        default:
            health.serverErrors &+= 1
            fail(&link, outbox: &outbox, nowUs: nowUs)
            return
        }
        state = .idle
        if answer.mustClose { link.close() }
    }

    private mutating func checkTimeout(_ nowUs: UInt64) throws(LinkError) {
        if nowUs &- requestStartUs > Self.answerTimeoutUs { throw .reset }
    }

    /// Closes the link, puts the sent records back, and waits a backoff with jitter.
    private mutating func fail(_ link: inout some Link, outbox: inout Outbox<64>, nowUs: UInt64) {
        link.close()
        outbox.resendAll()
        state = .idle
        backoffMs = backoffMs == 0 ? Self.backoffMinMs : min(Self.backoffMaxMs, backoffMs &* 2)
        jitter ^= jitter << 13
        jitter ^= jitter >> 17
        jitter ^= jitter << 5
        let waitMs = backoffMs / 4 * 3 + jitter % (backoffMs / 2 + 1)
        retryAtUs = nowUs &+ UInt64(waitMs) * 1000
    }

    private mutating func put(_ text: StaticString) {
        put(ShortText(static: text))
    }

    private mutating func put(_ text: ShortText) {
        for index in 0..<text.count {
            head[headCount] = text[index]
            headCount += 1
        }
    }

    private mutating func putDecimal(_ value: Int) {
        var digits = InlineArray<20, UInt8>(repeating: 0)
        var count = 0
        var rest = value
        repeat {
            digits[count] = UInt8(rest % 10) + 0x30
            count += 1
            rest /= 10
        } while rest > 0
        for index in stride(from: count - 1, through: 0, by: -1) {
            head[headCount] = digits[index]
            headCount += 1
        }
    }
}

/// An HTTP/1.1 answer read whole: its status, `Date` and where its body is.
struct HTTPAnswer {
    var status: UInt16
    var dateS: Int64?
    var bodyStart: Int
    var bodyCount: Int
    /// The server closes, or the body did not fit: the connection cannot be reused.
    var mustClose: Bool

    /// nil until the head and the body (by `Content-Length`) are all in `bytes`; when `full`,
    /// what is there is all there will be.
    init?(_ bytes: Span<UInt8>, full: Bool) {
        var headEnd = -1
        if bytes.count >= 4 {
            for index in 0..<(bytes.count - 3)
            where bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D && bytes[index + 3] == 0x0A {
                headEnd = index
                break
            }
        }
        guard headEnd >= 12 else {
            guard full else { return nil }
            status = 0
            bodyStart = 0
            bodyCount = 0
            mustClose = true
            return
        }
        status = 0
        for index in 9..<12 {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { break }
            status = status * 10 + UInt16(byte - 0x30)
        }
        var contentLength = 0
        mustClose = false
        var lineStart = 0
        for index in 0...headEnd where index == headEnd || (bytes[index] == 0x0D && bytes[index + 1] == 0x0A) {
            let line = bytes.extracting(lineStart..<index)
            if Self.hasName(line, "content-length:") {
                contentLength = 0
                for offset in 15..<line.count where line[offset] >= 0x30 && line[offset] <= 0x39 {
                    contentLength = contentLength * 10 + Int(line[offset] - 0x30)
                }
            } else if Self.hasName(line, "date:") {
                var start = 5
                while start < line.count && line[start] == 0x20 { start += 1 }
                dateS = parseHTTPDate(line.extracting(start..<line.count))
            } else if Self.hasName(line, "connection: close") {
                mustClose = true
            }
            lineStart = index + 2
        }
        bodyStart = headEnd + 4
        if bodyStart + contentLength > bytes.count {
            guard full else { return nil }
            mustClose = true
        }
        bodyCount = min(contentLength, bytes.count - bodyStart)
    }

    /// Whether `line` starts with `name`, ignoring ASCII case.
    private static func hasName(_ line: Span<UInt8>, _ name: StaticString) -> Bool {
        name.withUTF8Buffer { expected in
            guard line.count >= expected.count else { return false }
            for index in 0..<expected.count where line[index] | 0x20 != expected[index] | 0x20 { return false }
            return true
        }
    }
}
