import CrossingCollector
import Foundation
import Testing

/// `checkpoint-collector lint --json` against the cases of InfluxDB 1.x's own parser tests
/// (`models/points_test.go`), transcribed into Fixtures/influxdb-points.jsonl with the verdict
/// and the values InfluxDB's parser gives each. Uint support is on, as that suite turns it on.
/// One case holds what the live server stores instead of what the Go test compares; its `note`
/// says why.
@Suite("lint agrees with InfluxDB's parser tests")
struct LintConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let input: String
        let precision: String?
        /// One object per point InfluxDB parses or refuses, in the shape `lint --json` prints.
        let expect: [JSONAny]
        var testDescription: String { name }
    }

    /// A decoded JSON value. Integers keep their exact value; JSON does not keep `1` and `1.0`
    /// apart, so numbers compare by value and a field's `type` tells int from float.
    enum JSONAny: Equatable, Sendable, Decodable {
        case string(String), bool(Bool), int(Int64), uint(UInt64), double(Double), null
        case array([JSONAny]), object([String: JSONAny])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .int(value)
            } else if let value = try? container.decode(UInt64.self) {
                self = .uint(value)
            } else if let value = try? container.decode(Double.self) {
                self = .double(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([JSONAny].self) {
                self = .array(value)
            } else {
                self = .object(try container.decode([String: JSONAny].self))
            }
        }

        static func decode(_ text: some StringProtocol) throws -> JSONAny {
            try JSONDecoder().decode(JSONAny.self, from: Data(text.utf8))
        }

        static func == (left: JSONAny, right: JSONAny) -> Bool {
            switch (left, right) {
            case let (.string(a), .string(b)): a == b
            case let (.bool(a), .bool(b)): a == b
            case (.null, .null): true
            case let (.array(a), .array(b)): a == b
            case let (.object(a), .object(b)): a == b
            case let (.int(a), .int(b)): a == b
            case let (.uint(a), .uint(b)): a == b
            case let (.int(a), .uint(b)), let (.uint(b), .int(a)): a >= 0 && UInt64(a) == b
            case let (.double(a), .double(b)): a == b
            case let (.double(a), .int(b)), let (.int(b), .double(a)): Int64(exactly: a) == b
            case let (.double(a), .uint(b)), let (.uint(b), .double(a)): UInt64(exactly: a) == b
            default: false
            }
        }

        subscript(key: String) -> JSONAny? {
            guard case .object(let map) = self else { return nil }
            return map[key]
        }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/influxdb-points.jsonl")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let object = try! JSONAny.decode(line)
            guard case .string(let name)? = object["name"], case .string(let input)? = object["input"],
                case .array(let expect)? = object["expect"]
            else { fatalError("bad corpus line: \(line)") }
            var precision: String?
            if case .string(let value)? = object["precision"] { precision = value }
            return Case(name: name, input: input, precision: precision, expect: expect)
        }
    }()

    @Test("The corpus holds the suite's cases")
    func corpusLoaded() {
        #expect(Self.cases.count >= 180)
        #expect(Self.cases.contains { $0.expect.contains { $0["ok"] == .bool(false) } })
    }

    @Test("Verdicts and parsed values match InfluxDB's", arguments: cases)
    func agrees(with testCase: Case) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try collectorExecutable())
        process.arguments = ["lint", "--json"] + (testCase.precision.map { ["--precision", $0] } ?? [])
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(testCase.input.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let results = try String(decoding: data, as: UTF8.self).split(separator: "\n").map(JSONAny.decode)
        #expect(results.count == testCase.expect.count, "\(results)")
        for (result, expected) in zip(results, testCase.expect) {
            let got = result
            #expect(got["ok"] == expected["ok"], "\(got["error"] ?? .null)")
            if expected["ok"] == .bool(false) {
                #expect(got["error"] != nil && got["column"] != nil)
                continue
            }
            for key in ["measurement", "tags", "fields", "timestamp"] {
                #expect(got[key] == expected[key], "\(key)")
            }
        }
        let allValid = testCase.expect.allSatisfy { $0["ok"] == .bool(true) }
        #expect(process.terminationStatus == (allValid ? 0 : 1))
    }
}
