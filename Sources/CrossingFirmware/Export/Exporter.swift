import CrossingCore
import CrossingDevice

/// Sends the outbox over any non-blocking `Link`, one step per main-loop tick and never
/// waiting, in one of two framings:
///
/// - `http://host:port/path`: `POST` requests to InfluxDB or VictoriaMetrics
///   (docs/line-protocol.md). 2xx acknowledges, and its `Date` header teaches wall time (and,
///   to a device with no incarnation, its incarnation); 4xx refuses the records for good: they
///   are dropped and counted, the status and the body's start kept in health.
/// - `tcp://host:port`: batches to our collector (docs/device-protocol.md): the lines, then a
///   `# batch` trailer with the device id, its incarnation, the first and last record numbers
///   and an HMAC-SHA256 under the device's key. The collector's `ack` line acknowledges and
///   carries its time (and an incarnation, to a device that asked); a `nack` is retried like a
///   failure, so a wrong key never loses counts.
///
/// A request or batch carries the oldest stamped records that fit in `bodyBytesMax`, and a
/// `device_health` line. Anything that fails (no connection, a reset, a 5xx, no answer in
/// `answerTimeoutUs`) closes the link and sends the same records again after a capped
/// exponential backoff with jitter. Bytes in flight are bounded by the buffers.
public struct Exporter {
    /// A few records' lines and the health line; RAM on a small part is the bound.
    public static var bodyBytesMax: Int { 4096 }
    static var answerTimeoutUs: UInt64 { 10_000_000 }

    enum State {
        case idle
        case connecting
        case sending
        case awaiting
    }

    public internal(set) var health = ExportHealth()
    var framing = ExportTarget.Framing.batch
    var host = ShortText()
    var path = ShortText()
    var device = ShortText()
    var key = InlineArray<32, UInt8>(repeating: 0)
    var state = State.idle
    var retryAtUs: UInt64 = 0
    var backoff = ExportBackoff()
    var head = InlineArray<256, UInt8>(repeating: 0)
    var headCount = 0
    var body = LineBuffer<4096>()
    var sentBytes = 0
    /// An answer's head fits (InfluxDB's is about 250 bytes); a longer body is cut, and only
    /// its first 64 bytes are kept anyway.
    var response = InlineArray<512, UInt8>(repeating: 0)
    var responseCount = 0
    var requestStartUs: UInt64 = 0
    var recordsInRequest = 0
    var lastHealthStampNs = Int64.min
    /// Set by the device at boot from its journal, learned from an answer, made known by the
    /// device's next commit.
    public internal(set) var incarnation = Incarnation.unknown

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
        headCount = 0
        body.removeAll()
        sentBytes = 0
        responseCount = 0
        requestStartUs = 0
        recordsInRequest = 0
        lastHealthStampNs = Int64.min
        guard let target = ExportTarget(config.export) else { return false }
        framing = target.framing
        host = target.host
        path = target.path
        device = config.device
        key = config.key
        backoff.reset(seed: seed)
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
                // Records wait for wall time and an incarnation; the answer to a lone health
                // line brings them.
                let due = waits(wall) ? outbox.count > 0 : outbox.sendableCount > 0
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

    /// Whether records must wait: for wall time, or for an incarnation kept in the journal.
    func waits(_ wall: WallTime) -> Bool {
        guard wall.offsetNs != nil, case .known = incarnation else { return true }
        return false
    }

    mutating func connect(
        _ link: inout some Link, outbox: inout DeviceOutbox, wall: WallTime, config: inout DeviceConfig,
        figures: HealthFigures, nowUs: UInt64
    ) throws(LinkError) {
        guard try link.connect() == .connected else { return }
        build(outbox: &outbox, wall: wall, config: &config, figures: figures, nowUs: nowUs)
        state = .sending
        try send(&link, nowUs: nowUs)
    }

    mutating func send(_ link: inout some Link, nowUs: UInt64) throws(LinkError) {
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

    mutating func checkTimeout(_ nowUs: UInt64) throws(LinkError) {
        if nowUs &- requestStartUs > Self.answerTimeoutUs { throw .reset }
    }

    /// Closes the link, puts the sent records back, and waits a backoff with jitter.
    mutating func fail(_ link: inout some Link, outbox: inout DeviceOutbox, nowUs: UInt64) {
        link.close()
        outbox.resendAll()
        state = .idle
        responseCount = 0
        retryAtUs = nowUs &+ UInt64(backoff.nextWaitMs()) * 1000
    }
}
