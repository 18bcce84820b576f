import CrossingCore
import Testing

@Suite("Line encoder")
struct LineBufferTests {
    static func text(_ bytes: [UInt8]) -> ShortText { ShortText(bytes.span)! }

    @Test("A crossings line reads as the documented shape, byte for byte")
    func documentedShape() throws {
        var buffer = LineBuffer<256>()
        buffer.begin("crossings")
        buffer.tag("class", Self.text(Array("car".utf8)))
        buffer.tag("device", Self.text(Array("vl-pole-3".utf8)))
        buffer.tag("direction", Self.text(Array("outbound".utf8)))
        buffer.tag("lane", Self.text(Array("cars out 1".utf8)))
        buffer.tag("site", Self.text(Array("verkhny-lars".utf8)))
        buffer.field("count", 17)
        buffer.field("seq", 4021)
        try buffer.end(timestampNs: 1_663_750_860_000_000_000)
        let bytes = buffer.withBytes { span in (0..<span.count).map { span[$0] } }
        #expect(String(decoding: bytes, as: UTF8.self)
            == "crossings,class=car,device=vl-pole-3,direction=outbound,lane=cars\\ out\\ 1,site=verkhny-lars count=17i,seq=4021i 1663750860000000000\n")
    }

    @Test("Hostile bytes in every tag and string round-trip through a parser; tags that cannot be carried are refused whole")
    func hostileRoundTrip() throws {
        var random = SeededRandom(state: 0xC0FFEE)
        let alphabet: [UInt8] = Array(" ,=\"\\\n\tabcXYZ019-_.:/é".utf8) + [0xD0, 0x9F, 0x7F, 0x01]
        var buffer = LineBuffer<4096>()
        var expected: [ParsedLine] = []
        var refused = 0
        for round in 0..<2000 {
            func hostile(_ maxCount: Int) -> [UInt8] {
                (0..<Int.random(in: 1...maxCount, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            }
            let tagValue = hostile(20)
            let stringValue = hostile(60)
            let integer = Int64.random(in: Int64.min...Int64.max, using: &random)
            let timestamp = Int64.random(in: -1_000...Int64.max, using: &random)
            let before = buffer.committedCount
            buffer.begin("crossings, =health")
            buffer.tag("lane, =key", Self.text(tagValue))
            buffer.tag("site", Self.text(Array("s".utf8)))
            buffer.field("count", integer)
            buffer.field("note, =\"", Self.text(stringValue))
            buffer.field("ok", round % 2 == 0)
            let representable = tagValue.allSatisfy { $0 >= 0x20 && $0 != 0x7F && $0 != 0x5C }
            do {
                try buffer.end(timestampNs: timestamp)
                #expect(representable)
                expected.append(ParsedLine(
                    measurement: Array("crossings, =health".utf8), tags: [(Array("lane, =key".utf8), tagValue), (Array("site".utf8), Array("s".utf8))],
                    fields: [(Array("count".utf8), .integer(integer)), (Array("note, =\"".utf8), .string(stringValue)), (Array("ok".utf8), .bool(round % 2 == 0))],
                    timestamp: timestamp))
            } catch {
                #expect(error == .unrepresentable && !representable)
                #expect(buffer.committedCount == before, "a refused line leaves nothing behind")
                refused += 1
            }
            if buffer.committedCount > 3000 {
                let bytes = buffer.withBytes { span in (0..<span.count).map { span[$0] } }
                #expect(ParsedLine.parseAll(bytes) == expected)
                buffer.removeAll()
                expected = []
            }
        }
        #expect(refused > 100 && refused < 1900)
    }

    @Test("A line that does not fit is refused whole, and fits once the buffer is sent")
    func doesNotFit() throws {
        var buffer = LineBuffer<64>()
        func write() throws(LineError) {
            buffer.begin("crossings")
            buffer.tag("lane", ShortText(Array("walkway".utf8).span)!)
            buffer.field("count", 123_456)
            try buffer.end(timestampNs: 1_663_750_860_000_000_000)
        }
        try write()
        let first = buffer.committedCount
        #expect(throws: LineError.doesNotFit) { try write() }
        #expect(buffer.committedCount == first)
        buffer.removeFirst(first)
        try write()
        #expect(buffer.committedCount == first)
    }
}

/// SplitMix64, so that the property tests draw the same cases every run without depending on
/// the simulator.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
