import Foundation

/// A program from Debian that some tests need, found on `PATH` the way a shell finds it.
///
/// On a machine with only the Swift toolchain such a test is skipped, with a reason that names
/// the program and the `apt-get install` that brings it; with `CI=true` it runs and fails, since
/// CI installs every program (`.ci/run`) and a skip there would hide a claim going untested.
public struct SystemProgram: Sendable {
    /// The command's name, as on `PATH`.
    public let name: String
    /// The Debian package that installs it.
    public let package: String

    public init(_ name: String, package: String) {
        self.name = name
        self.package = package
    }

    public static let rsvgConvert = SystemProgram("rsvg-convert", package: "librsvg2-bin")

    /// Whether this run is CI's (`CI=true`), where a missing program fails instead of skipping.
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The program's path: the first executable of its name in a directory of `PATH`.
    public var path: String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        for directory in directories where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether a test that needs the program runs: it is there, or this is CI.
    public var runs: Bool { path != nil || Self.inCI }

    /// Why a test that needs the program is skipped.
    public var skipReason: String { "needs \(name), not on PATH (apt-get install \(package))" }

    /// The program's path, or an error that names it and its package (in CI, where the test ran
    /// without it).
    public func require() throws -> String {
        guard let path else { throw Missing(description: "\(skipReason); CI=true, so this fails instead of skipping") }
        return path
    }

    /// Runs the program with `input` on its stdin, and returns its exit status and what it
    /// wrote to stdout, and to stderr too when `mergingErrors`.
    public func run(_ arguments: [String], input: [UInt8] = [], mergingErrors: Bool = false) throws -> (status: Int32, output: [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try require())
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = mergingErrors ? stdout : FileHandle.nullDevice
        try process.run()
        // Written from another thread, so that a program that answers as it reads cannot fill
        // its stdout pipe while this side is still writing its stdin.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !writer.isFinished { usleep(1000) }
        return (process.terminationStatus, Array(output))
    }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }
}

/// A service a test talks to, started by `Tools/peers start` and named by an environment
/// variable: skipped when the variable is unset, failed when `CI=true`.
public struct PeerService: Sendable {
    /// What the service is, for the skip reason.
    public let name: String
    /// The variable `Tools/peers start` exports with its URL.
    public let variable: String
    /// The Debian packages its server comes from.
    public let packages: String
    /// The command that starts it and prints the variable, for `eval`.
    public var starter = "Tools/peers start"

    public static let influxDB = PeerService(
        name: "InfluxDB 1.x (influxd)", variable: "CHECKPOINT_INFLUXDB_URL", packages: "influxdb curl")
    public static let victoriaMetrics = PeerService(
        name: "VictoriaMetrics (victoria-metrics)", variable: "CHECKPOINT_VM_URL", packages: "victoria-metrics curl")
    public static let livePage = PeerService(
        name: "a collector fed an hour of Verkhny Lars", variable: "CHECKPOINT_PAGE_URL", packages: "chromium",
        starter: "Tools/live-page start")

    /// The service's base URL, when it runs.
    public var url: String? { ProcessInfo.processInfo.environment[variable] }

    /// Whether a test that needs the service runs: it is up, or this is CI.
    public var runs: Bool { url != nil || SystemProgram.inCI }

    /// Why a test that needs the service is skipped.
    public var skipReason: String {
        "needs \(name) running: apt-get install \(packages), then eval \"$(\(starter))\" sets \(variable)"
    }

    /// The service's URL, or an error that names it (in CI, where the test ran without it).
    public func require() throws -> String {
        guard let url else { throw SystemProgram.Missing(description: "\(skipReason); CI=true, so this fails instead of skipping") }
        return url
    }
}
