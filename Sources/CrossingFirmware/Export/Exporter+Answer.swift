import CrossingCore
import CrossingDevice

// What the exporter makes of the answer: an HTTP status and `Date`, or the collector's ack.
extension Exporter {
    mutating func receiveAnswer(_ link: inout some Link, outbox: inout DeviceOutbox, wall: inout WallTime, nowUs: UInt64) throws(LinkError) {
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
        if let dateS = answer.dateS {
            wall.learn(wallNs: dateS &* 1_000_000_000 &+ 500_000_000, nowUs: nowUs)
            // With no collector to pick one, the second of the first answer after a blank boot
            // is the incarnation: a later life of this id first speaks in a later second.
            if incarnation == .unknown {
                incarnation = .learned(UInt32(truncatingIfNeeded: max(1, min(dateS, Int64(Incarnation.unknownMark) - 1))))
            }
        }
        // The health line alone must teach what records wait for, or go again after the backoff.
        if recordsInRequest == 0 && (wall.offsetNs == nil || incarnation == .unknown) {
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

    /// The collector's answer to a batch: `ack LAST TIME_NS`, `ack 0 TIME_NS INCARNATION` to a
    /// batch that asked for an incarnation, or `nack REASON`.
    mutating func receiveAck(_ link: inout some Link, outbox: inout DeviceOutbox, wall: inout WallTime, nowUs: UInt64) throws(LinkError) {
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
                if field > 2 { isAck = false } else { fields[field] = 0 }
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
        if incarnation == .unknown {
            guard fields[2] > 0 && fields[2] < Int64(Incarnation.unknownMark) else {
                health.serverErrors &+= 1
                fail(&link, outbox: &outbox, nowUs: nowUs)
                return
            }
            incarnation = .learned(UInt32(fields[2]))
        }
        wall.learn(wallNs: fields[1], nowUs: nowUs)
        if recordsInRequest > 0 { acknowledgeSent(outbox: &outbox) }
        for index in (end + 1)..<responseCount { response[index - end - 1] = response[index] }
        responseCount -= end + 1
        state = .idle
    }

    mutating func acknowledgeSent(outbox: inout DeviceOutbox) {
        let last = outbox.record(outbox.sentCount - 1).seq
        health.recordsAcknowledged &+= UInt64(outbox.acknowledge(throughSeq: last))
        backoff.succeeded()
    }

}
