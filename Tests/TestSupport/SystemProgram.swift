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

    public static let influxDB = PeerService(
        name: "InfluxDB 1.x (influxd)", variable: "CHECKPOINT_INFLUXDB_URL", packages: "influxdb curl")
    public static let victoriaMetrics = PeerService(
        name: "VictoriaMetrics (victoria-metrics)", variable: "CHECKPOINT_VM_URL", packages: "victoria-metrics curl")

    /// The service's base URL, when it runs.
    public var url: String? { ProcessInfo.processInfo.environment[variable] }

    /// Whether a test that needs the service runs: it is up, or this is CI.
    public var runs: Bool { url != nil || SystemProgram.inCI }

    /// Why a test that needs the service is skipped.
    public var skipReason: String {
        "needs \(name) running: apt-get install \(packages), then eval \"$(Tools/peers start)\" sets \(variable)"
    }

    /// The service's URL, or an error that names it (in CI, where the test ran without it).
    public func require() throws -> String {
        guard let url else { throw SystemProgram.Missing(description: "\(skipReason); CI=true, so this fails instead of skipping") }
        return url
    }
}
