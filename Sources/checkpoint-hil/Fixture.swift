import Foundation

/// A HIL fixture: a recorded frame file and the output every target must give for it
/// (Hardware/fixtures/README.md).
struct Fixture {
    static let directory = "Hardware/fixtures"

    let name: String
    let framesPath: String
    var expectedPath: String { String(framesPath.dropLast(".frames".count)) + ".expected" }

    /// A fixture named `NAME` (in Hardware/fixtures) or given by the path of its `.frames`.
    init(_ argument: String) {
        let path = argument.hasSuffix(".frames") ? argument : "\(Self.directory)/\(argument).frames"
        framesPath = path
        name = String(URL(fileURLWithPath: path).lastPathComponent.dropLast(".frames".count))
    }

    /// Every fixture in Hardware/fixtures, by name.
    static func all() -> [Fixture] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".frames") }.sorted().map { Fixture("\(directory)/\($0)") }
    }
}

/// Where two outputs first differ, as a reader wants it: the line number and both lines.
func firstDifference(expected: [UInt8], got: [UInt8]) -> String? {
    guard expected != got else { return nil }
    let expectedLines = expected.split(separator: 0x0A, omittingEmptySubsequences: false)
    let gotLines = got.split(separator: 0x0A, omittingEmptySubsequences: false)
    for index in 0..<max(expectedLines.count, gotLines.count) {
        let want = index < expectedLines.count ? String(decoding: expectedLines[index], as: UTF8.self) : "(end of output)"
        let have = index < gotLines.count ? String(decoding: gotLines[index], as: UTF8.self) : "(end of output)"
        if want != have || index >= expectedLines.count || index >= gotLines.count {
            return "line \(index + 1): expected \(want.debugDescription), got \(have.debugDescription)"
        }
    }
    return "the outputs differ in their final newline"
}
