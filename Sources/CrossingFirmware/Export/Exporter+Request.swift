import CrossingCore
import CrossingDevice

// The request or batch the exporter sends: records as lines, the health line, and the HTTP
// head or the signed batch trailer.
extension Exporter {
    /// The oldest stamped records that fit, then the health line, then the HTTP head or the
    /// batch trailer. Before the device knows wall time and its incarnation, the health line
    /// alone.
    mutating func build(
        outbox: inout DeviceOutbox, wall: WallTime, config: inout DeviceConfig, figures: HealthFigures, nowUs: UInt64
    ) {
        body.removeAll()
        recordsInRequest = 0
        headCount = 0
        sentBytes = 0
        requestStartUs = nowUs
        health.requests &+= 1
        if !waits(wall), case .known(let number) = incarnation {
            let ready = outbox.sendableCount
            while recordsInRequest < ready {
                do throws(LineError) {
                    try ExportLines.write(
                        outbox.record(outbox.sentCount + recordsInRequest), incarnation: number, config: &config, into: &body)
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
        body.field("blind_lanes", figures.blindLanes)
        body.field("degraded_lanes", figures.degradedLanes)
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
    /// `# batch v=1 device=ID inc=N first=N last=N lines=N bytes=N hmac=HEX`, the MAC over the
    /// batch's lines and the trailer up to ` hmac=`. `inc=new` asks the collector for an
    /// incarnation.
    mutating func putTrailer(first: UInt32, last: UInt32) {
        var lines = 0
        body.withBytes { bytes in
            for index in bytes.indices where bytes[index] == 0x0A { lines += 1 }
        }
        put("# batch v=1 device=")
        put(device)
        put(" inc=")
        switch incarnation {
        case .known(let number): putDecimal(Int(number))
        case .unknown, .learned: put("new")
        }
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
    mutating func put(_ text: StaticString) {
        put(ShortText(static: text))
    }

    mutating func put(_ text: ShortText) {
        for index in 0..<text.count {
            head[headCount] = text[index]
            headCount += 1
        }
    }

    mutating func putDecimal(_ value: Int) {
        let text = DecimalText(Int64(value))
        for index in 0..<text.count {
            head[headCount] = text[index]
            headCount += 1
        }
    }
}
