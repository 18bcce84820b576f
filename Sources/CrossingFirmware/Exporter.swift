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

/// Sends the outbox over any non-blocking `Link`, one step per main-loop tick and never
/// waiting, in one of two framings:
///
/// - `http://host:port/path`: `POST` requests to InfluxDB or VictoriaMetrics
///   (docs/line-protocol.md). 2xx acknowledges, and its `Date` header teaches wall time; 4xx
///   refuses the records for good: they are dropped and counted, the status and the body's
///   start kept in health.
/// - `tcp://host:port`: batches to our collector (docs/device-protocol.md): the lines, then a
///   `# batch` trailer with the device id, the first and last record numbers and an
///   HMAC-SHA256 under the device's key. The collector's `ack` line acknowledges and carries
///   its time; a `nack` is retried like a failure, so a wrong key never loses counts.
///
/// A request or batch carries the oldest stamped records that fit in `bodyBytesMax`, and a
/// `device_health` line. Anything that fails (no connection, a reset, a 5xx, no answer in
/// `answerTimeoutUs`) closes the link and sends the same records again after a capped
/// exponential backoff with jitter. Bytes in flight are bounded by the buffers.
public struct Exporter {
    enum Framing {
        case http
        case batch
    }

    /// A few records' lines and the health line; RAM on a small part is the bound.
    public static var bodyBytesMax: Int { 4096 }
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
    private var framing = Framing.batch
    private var host = ShortText()
    private var path = ShortText()
    private var device = ShortText()
    private var key = InlineArray<32, UInt8>(repeating: 0)
    private var state = State.idle
    private var retryAtUs: UInt64 = 0
    private var backoffMs: UInt32 = 0
    private var jitter: UInt32 = 1
    private var head = InlineArray<256, UInt8>(repeating: 0)
    private var headCount = 0
    private var body = LineBuffer<4096>()
    private var sentBytes = 0
    /// An answer's head fits (InfluxDB's is about 250 bytes); a longer body is cut, and only
    /// its first 64 bytes are kept anyway.
    private var response = InlineArray<512, UInt8>(repeating: 0)
    private var responseCount = 0
    private var requestStartUs: UInt64 = 0
    private var recordsInRequest = 0
    private var lastHealthStampNs = Int64.min

    /// Whether a request is under way: connecting, sending, or waiting for its answer.
    /// `mutating` to be read in place (docs/embedded.md, "Stack").
    public var isBusy: Bool {
        mutating get { state != .idle }
    }

    /// An exporter with no target, idle until `reset(config:seed:)` gives it one.
    public init() {}

    /// Starts afresh, in place, exporting to the config's target, `http://host[:port]/path?query`
    /// or `tcp://host:port`. Returns false, and exports nothing, when there is none. In place
    /// because a device with no heap keeps its 10 KB of buffers in static memory, where a new
    /// exporter would need a second copy on the stack (docs/embedded.md, "Stack").
    public mutating func reset(config: inout DeviceConfig, seed: UInt32) -> Bool {
        health = ExportHealth()
        state = .idle
        retryAtUs = 0
        backoffMs = 0
        headCount = 0
        body.removeAll()
        sentBytes = 0
        responseCount = 0
        requestStartUs = 0
        recordsInRequest = 0
        lastHealthStampNs = Int64.min
        let target = config.export
        let schemeBytes: Int
        if target.hasPrefix("http://") {
            framing = .http
            schemeBytes = 7
        } else if target.hasPrefix("tcp://") {
            framing = .batch
            schemeBytes = 6
        } else {
            return false
        }
        var hostBytes = InlineArray<64, UInt8>(repeating: 0)
        var pathBytes = InlineArray<64, UInt8>(repeating: 0)
        var hostCount = 0
        var pathCount = 0
        for index in schemeBytes..<target.count {
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
        else { return false }
        self.host = host
        self.path = path.isEmpty ? ShortText(static: "/write") : path
        device = config.device
        key = config.key
        jitter = seed | 1
        return true
    }

    /// One step: start, continue or finish a request. Call once per tick. `config` is `inout`
    /// only so that Swift reads it where it lies instead of copying it to the stack; it is
    /// never written (docs/embedded.md, "Stack").
    mutating func step(
        link: inout some Link, outbox: inout DeviceOutbox, wall: inout WallTime, config: inout DeviceConfig,
        figures: HealthFigures, nowUs: UInt64
    ) {
        do throws(LinkError) {
            switch state {
            case .idle:
                // Records wait for wall time; the answer to a lone health line brings it.
                let due = outbox.sendableCount > 0 || (outbox.count > 0 && wall.offsetNs == nil)
                guard nowUs >= retryAtUs, due else { return }
                state = .connecting
                try connect(&link, outbox: &outbox, wall: wall, config: &config, figures: figures, nowUs: nowUs)
            case .connecting:
                try connect(&link, outbox: &outbox, wall: wall, config: &config, figures: figures, nowUs: nowUs)
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
        _ link: inout some Link, outbox: inout DeviceOutbox, wall: WallTime, config: inout DeviceConfig,
        figures: HealthFigures, nowUs: UInt64
    ) throws(LinkError) {
        guard try link.connect() == .connected else { return }
        build(outbox: &outbox, wall: wall, config: &config, figures: figures, nowUs: nowUs)
        state = .sending
        try send(&link, nowUs: nowUs)
    }

    /// The oldest stamped records that fit, then the health line, then the HTTP head or the
    /// batch trailer. Before the device knows wall time, the health line alone.
    private mutating func build(
        outbox: inout DeviceOutbox, wall: WallTime, config: inout DeviceConfig, figures: HealthFigures, nowUs: UInt64
    ) {
        body.removeAll()
        recordsInRequest = 0
        headCount = 0
        sentBytes = 0
        requestStartUs = nowUs
        health.requests &+= 1
        if wall.offsetNs != nil {
            let ready = outbox.sendableCount
            while recordsInRequest < ready {
                do throws(LineError) {
                    try ExportLines.write(outbox.record(outbox.sentCount + recordsInRequest), config: &config, into: &body)
                    recordsInRequest += 1
                } catch {
                    break
                }
            }
            precondition(recordsInRequest > 0, "a record's lines always fit an empty body")
            outbox.markSent(recordsInRequest)
        }
        // The health line rides along; before the device knows wall time it goes alone, without
        // a timestamp (the receiver stamps it), saying so, and the answer teaches the time.
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
        body.field("time_known", wall.offsetNs != nil)
        // Like the bins', health stamps only rise: after a step back they must not overwrite.
        var stampNs = wall.wallNs(atUs: nowUs)
        if let now = stampNs {
            stampNs = max(now, lastHealthStampNs &+ 1)
            lastHealthStampNs = stampNs!
        }
        try? body.end(timestampNs: stampNs)
        if framing == .batch {
            if recordsInRequest == 0 {
                putTrailer(first: 0, last: 0)
            } else {
                putTrailer(first: outbox.record(outbox.sentCount - recordsInRequest).seq, last: outbox.record(outbox.sentCount - 1).seq)
            }
            return
        }
        put("POST ")
        put(path)
        put(" HTTP/1.1\r\nHost: ")
        put(host)
        put("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ")
        putDecimal(body.committedCount)
        put("\r\n\r\n")
    }

    /// The batch trailer, an ILP comment line an ordinary listener skips:
    /// `# batch v=1 device=ID first=N last=N lines=N bytes=N hmac=HEX`, the MAC over the
    /// batch's lines and the trailer up to ` hmac=`.
    private mutating func putTrailer(first: UInt32, last: UInt32) {
        var lines = 0
        body.withBytes { bytes in
            for index in bytes.indices where bytes[index] == 0x0A { lines += 1 }
        }
        put("# batch v=1 device=")
        put(device)
        put(" first=")
        putDecimal(Int(first))
        put(" last=")
        putDecimal(Int(last))
        put(" lines=")
        putDecimal(lines)
        put(" bytes=")
        putDecimal(body.committedCount)
        var mac = HMACSHA256(key: key.span)
        body.withBytes { bytes in mac.update(bytes) }
        mac.update(head.span.extracting(0..<headCount))
        var digest = InlineArray<32, UInt8>(repeating: 0)
        mac.finish(into: &digest)
        put(" hmac=")
        let hex: StaticString = "0123456789abcdef"
        hex.withUTF8Buffer { digits in
            for index in 0..<32 {
                head[headCount] = digits[Int(digest[index] >> 4)]
                head[headCount + 1] = digits[Int(digest[index] & 0xF)]
                headCount += 2
            }
        }
        put("\n")
    }

    private mutating func send(_ link: inout some Link, nowUs: UInt64) throws(LinkError) {
        // HTTP: head, then body. A batch: the lines, then the trailer.
        let first = framing == .http ? headCount : body.committedCount
        let total = headCount + body.committedCount
        while sentBytes < total {
            let sent: Int
            let headPart = framing == .http ? sentBytes < headCount : sentBytes >= body.committedCount
            if headPart {
                let from = framing == .http ? sentBytes : sentBytes - first
                sent = try link.send(head.span.extracting(from..<headCount))
            } else {
                let offset = framing == .http ? sentBytes - headCount : sentBytes
                sent = try body.withBytes { (bytes: Span<UInt8>) throws(LinkError) -> Int in
                    try link.send(bytes.extracting(offset..<bytes.count))
                }
            }
            guard sent > 0 else { return try checkTimeout(nowUs) }
            sentBytes += sent
        }
        state = .awaiting
        if framing == .http { responseCount = 0 }
    }

    private mutating func receiveAnswer(_ link: inout some Link, outbox: inout DeviceOutbox, wall: inout WallTime, nowUs: UInt64) throws(LinkError) {
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
        if framing == .batch { return try receiveAck(&link, outbox: &outbox, wall: &wall, nowUs: nowUs) }
        guard let answer = HTTPAnswer(response.span.extracting(0..<responseCount), full: responseCount == response.count) else {
            return try checkTimeout(nowUs)
        }
        health.lastStatus = answer.status
        if let dateS = answer.dateS { wall.learn(wallNs: dateS &* 1_000_000_000 &+ 500_000_000, nowUs: nowUs) }
        // The health line alone must teach the time, or go again after the backoff.
        if recordsInRequest == 0 && wall.offsetNs == nil {
            health.serverErrors &+= 1
            fail(&link, outbox: &outbox, nowUs: nowUs)
            return
        }
        switch answer.status {
        case _ where recordsInRequest == 0:
            break
        case 200..<300:
            acknowledgeSent(outbox: &outbox)
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

    /// The collector's answer to a batch: `ack LAST TIME_NS`, or `nack REASON`.
    private mutating func receiveAck(_ link: inout some Link, outbox: inout DeviceOutbox, wall: inout WallTime, nowUs: UInt64) throws(LinkError) {
        var end = -1
        for index in 0..<responseCount where response[index] == 0x0A {
            end = index
            break
        }
        guard end >= 0 else {
            if responseCount == response.count { throw .reset }
            return try checkTimeout(nowUs)
        }
        var fields = InlineArray<3, Int64>(repeating: -1)
        var field = -1
        var isAck = end >= 4 && response[0] == 0x61 && response[1] == 0x63 && response[2] == 0x6B && response[3] == 0x20
        for index in 3..<end where isAck {
            let byte = response[index]
            if byte == 0x20 {
                field += 1
                if field > 1 { isAck = false } else { fields[field] = 0 }
            } else if byte >= 0x30 && byte <= 0x39 && field >= 0 {
                fields[field] = fields[field] &* 10 &+ Int64(byte - 0x30)
            } else {
                isAck = false
            }
        }
        let expected = recordsInRequest > 0 ? Int64(outbox.record(outbox.sentCount - 1).seq) : 0
        guard isAck, fields[0] == expected, fields[1] > 0 else {
            health.serverErrors &+= 1
            fail(&link, outbox: &outbox, nowUs: nowUs)
            return
        }
        wall.learn(wallNs: fields[1], nowUs: nowUs)
        if recordsInRequest > 0 { acknowledgeSent(outbox: &outbox) }
        for index in (end + 1)..<responseCount { response[index - end - 1] = response[index] }
        responseCount -= end + 1
        state = .idle
    }

    private mutating func acknowledgeSent(outbox: inout DeviceOutbox) {
        let last = outbox.record(outbox.sentCount - 1).seq
        health.recordsAcknowledged &+= UInt64(outbox.acknowledge(throughSeq: last))
        backoffMs = 0
    }

    private mutating func checkTimeout(_ nowUs: UInt64) throws(LinkError) {
        if nowUs &- requestStartUs > Self.answerTimeoutUs { throw .reset }
    }

    /// Closes the link, puts the sent records back, and waits a backoff with jitter.
    private mutating func fail(_ link: inout some Link, outbox: inout DeviceOutbox, nowUs: UInt64) {
        link.close()
        outbox.resendAll()
        state = .idle
        responseCount = 0
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
        let text = DecimalText(Int64(value))
        for index in 0..<text.count {
            head[headCount] = text[index]
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
