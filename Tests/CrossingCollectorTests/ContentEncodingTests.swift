import CrossingCollector
import CrossingCore
import CrossingSimulation
import Foundation
import TestSupport
import Testing

/// Compressed `/write` bodies: decoded exactly from what real compressors make (Debian's gzip,
/// Python's zlib), refused with a position when damaged, and bounded when built to explode.
@Suite(.serialized)
struct ContentEncodingTests {
    static let gzip = SystemProgram("gzip", package: "gzip")
    static let python = SystemProgram("python3", package: "python3")

    /// Line protocol with seeded counts, large enough that every compressor uses dynamic blocks,
    /// long matches and several blocks.
    static func lines(device: String, records: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var text = ""
        for seq in 1...records {
            let count = random.next() % 40
            let minuteS = 1_663_750_800 + Int64(seq) * 60
            text += "crossings,site=verkhny-lars,device=\(device),lane=walkway,class=pedestrian,direction=outbound "
                + "count=\(count)i,seq=\(seq)i \(minuteS * 1_000_000_000)\n"
        }
        return Array(text.utf8)
    }

    /// Runs `program` with `input` on stdin and returns its stdout; it must succeed.
    static func run(_ program: SystemProgram, _ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let (status, output) = try program.run(arguments, input: input)
        #expect(status == 0, "\(program.name) \(arguments) exited \(status)")
        return output
    }

    @Test("gzip -1 to -9 and a body of two gzip members decode to the exact bytes", .enabled(if: gzip.runs, "\(gzip.skipReason)"))
    func gzipLevels() throws {
        let body = Self.lines(device: "pole-1", records: 3000, seed: 7)
        for level in 1...9 {
            let compressed = try Self.run(Self.gzip, ["-\(level)", "-c"], input: body)
            #expect(compressed.count < body.count / 3, "gzip -\(level): \(compressed.count) bytes")
            #expect(try ContentEncoding.gzip.decode(compressed, outputBytesMax: 1 << 20) == body, "gzip -\(level)")
        }
        let first = try Self.run(Self.gzip, ["-c"], input: Array(body[..<1000]))
        let second = try Self.run(Self.gzip, ["-c"], input: Array(body[1000...]))
        #expect(try ContentEncoding.gzip.decode(first + second, outputBytesMax: 1 << 20) == body)
    }

    @Test("Python's zlib at levels 0 to 9, as gzip and as zlib (HTTP's deflate), decodes to the exact bytes",
          .enabled(if: python.runs, "\(python.skipReason)"))
    func pythonZlibLevels() throws {
        let body = Self.lines(device: "pole-2", records: 2000, seed: 11)
        // Each level's two encodings, length-prefixed, so that one process makes all twenty.
        let script = """
            import sys, zlib, struct
            data = sys.stdin.buffer.read()
            for level in range(10):
                for wbits in (31, 15):
                    c = zlib.compressobj(level, zlib.DEFLATED, wbits)
                    out = c.compress(data) + c.flush()
                    sys.stdout.buffer.write(struct.pack('<I', len(out)) + out)
            """
        var output = try Self.run(Self.python, ["-c", script], input: body)[...]
        for level in 0...9 {
            for encoding in [ContentEncoding.gzip, .deflate] {
                let length = output.prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
                let compressed = Array(output.dropFirst(4).prefix(length))
                output = output.dropFirst(4 + length)
                #expect(try encoding.decode(compressed, outputBytesMax: 1 << 20) == body, "zlib level \(level), \(encoding)")
            }
        }
        #expect(output.isEmpty)
    }

    @Test("Every cut and every damaged byte of a gzip body is refused with the byte it reached, never decoded wrong",
          .enabled(if: gzip.runs, "\(gzip.skipReason)"))
    func damagedBodies() throws {
        let body = Self.lines(device: "pole-3", records: 40, seed: 3)
        let compressed = try Self.run(Self.gzip, ["-n", "-c"], input: body)
        for length in 0..<compressed.count {
            #expect(throws: InflateError.self, "cut at \(length)") {
                try ContentEncoding.gzip.decode(Array(compressed[..<length]), outputBytesMax: 1 << 20)
            }
        }
        // The header's time, flags and OS bytes (4-9) are not checked by anything, nor are the
        // padding bits after the stream's last code, which fill its last byte from the top.
        // Every byte's lowest bit from the stream on is checked, by the stream itself or by the
        // CRC and length after it.
        for index in 10..<compressed.count {
            var damaged = compressed
            damaged[index] ^= 0x01
            let decoded = try? ContentEncoding.gzip.decode(damaged, outputBytesMax: 1 << 20)
            #expect(decoded == nil, "byte \(index) damaged, and the body decoded")
        }
        do {
            _ = try ContentEncoding.gzip.decode(compressed + [0x1F], outputBytesMax: 1 << 20)
            Issue.record("a stray byte after the member was taken")
        } catch {
            #expect(error.offset == compressed.count && error.description.contains("cut short"), "\(error)")
        }
    }

    @Test("A body that inflates past the limit is refused as too large, whatever its encoding")
    func outputLimit() throws {
        let bomb = Self.zeroBomb(inflatedBytes: 1 << 20)
        #expect(try ContentEncoding.gzip.decode(bomb, outputBytesMax: 1 << 20).count == 1 << 20)
        do {
            _ = try ContentEncoding.gzip.decode(bomb, outputBytesMax: (1 << 20) - 1)
            Issue.record("a body over the limit was decoded")
        } catch {
            #expect(error.tooLarge, "\(error)")
        }
    }

    /// The sum of the `count` fields of `lines`.
    static func sum(_ lines: [UInt8]) -> Int64 {
        String(decoding: lines, as: UTF8.self).split(separator: "\n").reduce(0) { total, line in
            total + Int64(line.split(separator: "count=")[1].prefix { $0.isNumber })!
        }
    }

    @Test("gzip -1, gzip -9 and Python's deflate bodies posted to /write: the report reads back every count exact",
          .enabled(if: gzip.runs && python.runs, "\(gzip.skipReason); \(python.skipReason)"))
    func compressedWrites() throws {
        let directory = temporaryDirectory("collector-gzip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let collector = try InProcessCollector(directory: directory, keys: nil)
        defer { collector.stop() }
        let deflate = "import sys, zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read(), 6))"
        let bodies: [(encoding: String, program: SystemProgram, arguments: [String])] = [
            ("gzip", Self.gzip, ["-1", "-c"]), ("gzip", Self.gzip, ["-9", "-c"]), ("deflate", Self.python, ["-c", deflate]),
        ]
        var expected: Int64 = 0
        for (index, body) in bodies.enumerated() {
            let lines = Self.lines(device: "pole-\(index)", records: 500, seed: UInt64(index))
            expected += Self.sum(lines)
            let compressed = try Self.run(body.program, body.arguments, input: lines)
            let response = try HTTPClient.request(
                "POST", collector.httpURL + "/write?db=counts", headers: [("Content-Encoding", body.encoding)], body: compressed)
            #expect(response.status == 204, "\(body.arguments): \(response.status) \(response.text)")
        }
        var damaged = try Self.run(Self.gzip, ["-c"], input: Self.lines(device: "pole-x", records: 10, seed: 1))
        damaged[damaged.count - 6] ^= 1
        let refused = try HTTPClient.request("POST", collector.httpURL + "/write?db=counts", headers: [("Content-Encoding", "gzip")], body: damaged)
        #expect(refused.status == 400 && refused.text.contains("CRC-32"), "\(refused.status) \(refused.text)")
        let brotli = try HTTPClient.request("POST", collector.httpURL + "/write?db=counts", headers: [("Content-Encoding", "br")], body: [1])
        #expect(brotli.status == 415)
        let report = try JSONSerialization.jsonObject(with: Data(HTTPClient.request("GET", collector.httpURL + "/report").body)) as? [String: Any]
        let totals = report?["totals"] as? [String: Any]
        #expect((totals?["pedestrian_outbound"] as? Int).map(Int64.init) == expected)
    }

    @Test("A 1 GiB gzip bomb is refused at the body limit, with the collector's peak RSS under 100 MiB, and it goes on storing")
    func zipBomb() throws {
        let directory = temporaryDirectory("collector-bomb")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = freePort()
        let server = try CollectorProcess(
            arguments: ["--data", directory + "/data", "--tcp", "off", "--http", "127.0.0.1:\(port)"],
            stderrPath: directory + "/stderr", waitForPort: port)
        defer { _ = server.terminate() }
        let bomb = Self.zeroBomb(inflatedBytes: 1 << 30)
        #expect(bomb.count < 8 << 20, "the bomb is \(bomb.count) bytes")
        let url = "http://127.0.0.1:\(port)/write?db=counts"
        let answer = try HTTPClient.request("POST", url, headers: [("Content-Encoding", "gzip")], body: bomb, timeoutMs: 60_000)
        #expect(answer.status == 413 && answer.text.contains("limit of 33554432"), "\(answer.status) \(answer.text)")
        let peakKiB = server.peakResidentKiB() ?? 0
        #expect(peakKiB > 0 && peakKiB < 100 << 10, "peak RSS \(peakKiB) KiB")
        let lines = Self.lines(device: "pole-after", records: 3, seed: 5)
        #expect(try HTTPClient.request("POST", url, body: lines).status == 204)
    }

    /// A gzip member of `inflatedBytes` zeros, made the way bombs are: one literal, then matches
    /// of 258 bytes at distance 1, 13 bits each in DEFLATE's fixed code (RFC 1951, 3.2.6).
    static func zeroBomb(inflatedBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]
        var bits: UInt64 = 0
        var count = 0
        func put(_ value: UInt64, _ length: Int) {
            bits |= value << UInt64(count)
            count += length
            while count >= 8 {
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
                count -= 8
            }
        }
        /// Huffman codes go most significant bit first.
        func code(_ value: UInt64, _ length: Int) {
            var reversed: UInt64 = 0
            for bit in 0..<length { reversed |= (value >> UInt64(bit) & 1) << UInt64(length - 1 - bit) }
            put(reversed, length)
        }
        put(1, 1)  // the last block
        put(1, 2)  // fixed codes
        code(0b0011_0000, 8)  // literal 0
        let matches = (inflatedBytes - 1) / 258
        for _ in 0..<matches {
            code(0b1100_0101, 8)  // length 258 (symbol 285)
            code(0, 5)  // distance 1
        }
        for _ in 0..<(inflatedBytes - 1 - matches * 258) { code(0b0011_0000, 8) }
        code(0, 7)  // end of block
        if count > 0 { put(0, 8 - count) }
        // The CRC only matters to a body decoded whole; a bomb is refused before it is checked.
        var crc = CRC32()
        if inflatedBytes <= 1 << 22 { for _ in 0..<inflatedBytes { crc.update(0) } }
        bytes += withUnsafeBytes(of: crc.value.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: UInt32(truncatingIfNeeded: inflatedBytes).littleEndian, Array.init)
        return bytes
    }
}
