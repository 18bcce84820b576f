import CrossingCollector
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `checkpoint-collector serve` as a child process, for the tests that kill it or hammer it.
final class CollectorProcess {
    let process = Process()
    let stderrPath: String

    /// Starts the server and waits until `port` accepts connections.
    init(arguments: [String], stderrPath: String, waitForPort port: Int) throws {
        self.stderrPath = stderrPath
        process.executableURL = URL(fileURLWithPath: try collectorExecutable())
        process.arguments = ["serve"] + arguments
        process.standardOutput = FileHandle.nullDevice
        if !FileManager.default.fileExists(atPath: stderrPath) { _ = FileManager.default.createFile(atPath: stderrPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        log.seekToEndOfFile()
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while LineSocket(port: port, timeoutMs: 200) == nil {
            guard process.isRunning, Date() < deadline else {
                throw CollectorError("collector did not listen on \(port): \((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")")
            }
            usleep(10_000)
        }
    }

    var pid: Int32 { process.processIdentifier }

    func kill9() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, and the exit status.
    func terminate() -> Int32 {
        kill(pid, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The peak resident set (VmHWM) so far, in KiB.
    func peakResidentKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
    }
}
