import Foundation
import TestSupport
import Testing

/// The systemd unit (Hardware/deploy/checkpoint-collector.service) as systemd reads it.
struct DeployTests {
    static let systemdAnalyze = SystemProgram("systemd-analyze", package: "systemd")

    @Test("systemd-analyze verify finds nothing wrong with the unit, and it runs the collector as its own user",
          .enabled(if: systemdAnalyze.runs, "\(systemdAnalyze.skipReason)"))
    func unitVerifies() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let unit = try String(contentsOf: root.appendingPathComponent("Hardware/deploy/checkpoint-collector.service"), encoding: .utf8)
        for setting in ["User=checkpoint", "StateDirectory=checkpoint-collector", "StandardError=journal", "ExecReload=/bin/kill -HUP $MAINPID",
                        "--keys /etc/checkpoint-collector/keys", "NoNewPrivileges=yes"] {
            #expect(unit.contains(setting), "missing \(setting)")
        }
        // verify checks that ExecStart's program exists: point it at the one built beside the tests.
        let directory = temporaryDirectory("deploy-unit")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/checkpoint-collector.service"
        try unit.replacingOccurrences(of: "/usr/local/bin/checkpoint-collector", with: try collectorExecutable())
            .write(toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = try Self.systemdAnalyze.run(["verify", path], mergingErrors: true)
        let said = String(decoding: output, as: UTF8.self)
        // verify exits 0 on an unknown key, with a warning: any output at all fails.
        #expect(status == 0 && said.isEmpty, "systemd-analyze verify: \(said)")
    }
}
