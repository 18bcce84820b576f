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

    @Test("A tag value no peer reads back the same is refused whole, leaving the buffer as it was")
    func refusesUnrepresentableTags() throws {
        var buffer = LineBuffer<256>()
        for value in ["", "a\nb", "tab\there", #"back\slash"#] {
            buffer.begin("crossings")
            buffer.tag("lane", ShortText(Array(value.utf8).span)!)
            buffer.field("count", 1)
            #expect(throws: LineError.unrepresentable) { try buffer.end(timestampNs: 1) }
            #expect(buffer.committedCount == 0)
        }
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
