import CrossingCollector
import CrossingCore
import CrossingSimulation
import Testing

@Suite("Line-protocol parser")
struct LineParserTests {
    static func one(_ text: String, precision: Precision = .ns) -> Result<ParsedPoint, LineProtocolError>? {
        LineParser.parse(Array(text.utf8), precision: precision).first?.result
    }

    static func point(_ text: String, precision: Precision = .ns) throws -> ParsedPoint {
        try #require(one(text, precision: precision)).get()
    }

    @Test(
        "Valid lines parse to the values InfluxDB stores",
        arguments: [
            ("cpu value=1", ParsedPoint(measurement: "cpu", tags: [], fields: [("value", .float(1))], timestampNs: nil)),
            ("cpu,host=a,region=eu v=1i,w=-2i 1000",
             ParsedPoint(measurement: "cpu", tags: [("host", "a"), ("region", "eu")], fields: [("v", .int(1)), ("w", .int(-2))], timestampNs: 1000)),
            ("m u=18446744073709551615u", ParsedPoint(measurement: "m", tags: [], fields: [("u", .uint(.max))], timestampNs: nil)),
            ("m a=1.,b=.5,c=-1.0e-4,d=1E4", ParsedPoint(
                measurement: "m", tags: [], fields: [("a", .float(1)), ("b", .float(0.5)), ("c", .float(-1e-4)), ("d", .float(1e4))],
                timestampNs: nil)),
            ("m a=t,b=TRUE,c=False,d=f", ParsedPoint(
                measurement: "m", tags: [], fields: [("a", .bool(true)), ("b", .bool(true)), ("c", .bool(false)), ("d", .bool(false))],
                timestampNs: nil)),
            (#"m s="a \"quoted\" \\ back\slash, with = and space""#, ParsedPoint(
                measurement: "m", tags: [], fields: [("s", .string(#"a "quoted" \ back\slash, with = and space"#))], timestampNs: nil)),
            (#"my\ m\,x,t\ k\=1=v\,a\ l\=ue f\ k\,\==1i -5"#, ParsedPoint(
                measurement: "my m,x", tags: [("t k=1", "v,a l=ue")], fields: [("f k,=", .int(1))], timestampNs: -5)),
            // As the live InfluxDB 1.6.7 stores it (SHOW MEASUREMENTS): `\=` unescaped in a measurement too.
            (#"cpu\=load,region=east value=1"#, ParsedPoint(
                measurement: "cpu=load", tags: [("region", "east")], fields: [("value", .float(1))], timestampNs: nil)),
            (#"m,t=a\b v=1"#, ParsedPoint(measurement: "m", tags: [("t", #"a\b"#)], fields: [("v", .float(1))], timestampNs: nil)),
            ("  m v=1i   7", ParsedPoint(measurement: "m", tags: [], fields: [("v", .int(7 / 7))], timestampNs: 7)),
            ("m v=1i,v=3i", ParsedPoint(measurement: "m", tags: [], fields: [("v", .int(3))], timestampNs: nil)),
            ("m v=1i,time=2i", ParsedPoint(measurement: "m", tags: [], fields: [("v", .int(1))], timestampNs: nil)),
        ])
    func valid(text: String, expected: ParsedPoint) throws {
        #expect(try Self.point(text) == expected)
    }

    @Test(
        "Invalid lines are refused with the column and the reason",
        arguments: [
            ("m", 2, "missing fields"),
            (",t=1 v=1", 1, "missing measurement"),
            ("m,t v=1", 4, "missing tag value"),
            ("m,=1 v=1", 3, "missing tag key"),
            ("m,t= v=1", 5, "missing tag value"),
            ("m,t=1,t=2 v=1", 7, "duplicate tags"),
            ("m,time=1 v=1", 3, "cannot use reserved tag key 'time'"),
            ("m time=1", 1, "missing fields"),
            ("m v=", 5, "missing field value"),
            ("m =1", 3, "missing field key"),
            ("m v=+1", 3 + 2, "invalid number"),
            ("m v=1.2.3", 5, "invalid number"),
            ("m v=NaN", 5, "invalid number"),
            ("m v=0x10", 5, "invalid number"),
            ("m v=1.5i", 5, "invalid number"),
            ("m v=-1u", 5, "invalid number"),
            ("m v=9223372036854775808i", 5, "value out of range"),
            (#"m v="open"#, 5, "unbalanced quotes"),
            ("m v=1i 1000\r", 8, "bad timestamp"),
            ("m v=1i 1 2", 8, "bad timestamp"),
            ("m v=1i 12a", 8, "bad timestamp"),
            ("m\tv=1", 6, "missing fields"),
            ("m v=1i\t1", 5, "invalid number"),
            ("m v=1i,v=2", 8, "field type conflict: 'v' is int and float"),
        ])
    func invalid(text: String, column: Int, reason: String) throws {
        let result = try #require(Self.one(text))
        #expect(result == .failure(LineProtocolError(line: 1, column: column, reason: reason)), "\(text)")
    }

    @Test("Precision scales the timestamp; any unknown precision means nanoseconds; overflow is refused")
    func precision() throws {
        #expect(try Self.point("m v=1 5", precision: .s).timestampNs == 5_000_000_000)
        #expect(try Self.point("m v=1 5", precision: .h).timestampNs == 18_000_000_000_000)
        #expect(Precision(parameter: "us") == .ns && Precision(parameter: "u") == .us && Precision(parameter: nil) == .ns)
        #expect(Self.one("m v=1 9223372036854775807", precision: .ms)
            == .failure(LineProtocolError(line: 1, column: 7, reason: "time outside range")))
    }

    @Test("A body keeps its good lines around bad ones, skips blank and comment lines, and numbers lines through strings")
    func partialWrite() {
        let body = "a v=1\n\n# note\nb v=\nc s=\"two\nlines\"\nd v=2i\n"
        let lines = LineParser.parse(Array(body.utf8))
        #expect(lines.map(\.number) == [1, 4, 5, 7])
        #expect(lines.map { (try? $0.result.get())?.measurement } == ["a", nil, "c", "d"])
        #expect((try? lines[2].result.get())?.fields.first?.value == .string("two\nlines"))
    }

    @Test("The device's encoder and this parser agree on hostile bytes in every tag and string")
    func encoderRoundTrip() throws {
        var random = SplitMix64(seed: 0xC0FFEE)
        let alphabet: [UInt8] = Array(" ,=\"\\\n\tabcXYZ019-_.:/é#".utf8) + [0xD0, 0x9F]
        for round in 0..<2000 {
            func hostile(_ maxCount: Int) -> [UInt8] {
                (0..<Int.random(in: 1...maxCount, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            }
            let tagValue = hostile(20)
            let stringValue = hostile(60)
            let integer = Int64.random(in: Int64.min...Int64.max, using: &random)
            var buffer = LineBuffer<1024>()
            buffer.begin("crossings, =health")
            buffer.tag("lane, =key", ShortText(tagValue.span)!)
            buffer.field("count", integer)
            buffer.field("note, =\"", ShortText(stringValue.span)!)
            buffer.field("ok", round % 2 == 0)
            do {
                try buffer.end(timestampNs: Int64(round) - 1000)
            } catch {
                #expect(!ShortText(tagValue.span)!.isTagSafe)
                continue
            }
            let bytes = buffer.withBytes { span in (0..<span.count).map { span[$0] } }
            let lines = LineParser.parse(bytes)
            #expect(lines.count == 1)
            let point = try lines[0].result.get()
            #expect(point == ParsedPoint(
                measurement: "crossings, =health", tags: [("lane, =key", String(decoding: tagValue, as: UTF8.self))],
                fields: [("count", .int(integer)), ("note, =\"", .string(String(decoding: stringValue, as: UTF8.self))), ("ok", .bool(round % 2 == 0))],
                timestampNs: Int64(round) - 1000))
        }
    }
}
