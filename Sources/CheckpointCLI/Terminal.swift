import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Standard error, for diagnostics and progress; standard output carries results only.
public enum Terminal {
    public static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// True when standard error is a terminal, so a progress line can redraw in place.
    public static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Prints `message` to stderr with the program name and exits: 2 for misuse, 1 for failure.
    public static func fail(_ program: String, _ message: String, usage: Bool = false) -> Never {
        error("\(program): \(message)")
        if usage { error("Try '\(program) --help'.") }
        exit(usage ? 2 : 1)
    }
}

/// Set by SIGINT or SIGTERM. Long runs poll it between steps and stop cleanly, printing what they have.
public let interruptRequested = Atomic<Bool>(false)

/// After a run stopped by SIGINT has printed what it had: exits 130, as a shell expects of a
/// program ended by Ctrl-C.
public func exitIfInterrupted() {
    if interruptRequested.load(ordering: .relaxed) { exit(130) }
}

/// Routes SIGINT and SIGTERM to `interruptRequested`. A second one kills the process as usual.
///
/// Both are unblocked first: a child inherits its parent's signal mask, and a parent such as a
/// test runner may have them blocked, which would leave the process unable to be stopped.
public func installInterruptHandler() {
    for stop in [SIGINT, SIGTERM] {
        signal(stop) { number in
            if interruptRequested.load(ordering: .relaxed) {
                signal(number, SIG_DFL)
                raise(number)
            }
            interruptRequested.store(true, ordering: .relaxed)
        }
    }
    var stops = sigset_t()
    sigemptyset(&stops)
    sigaddset(&stops, SIGINT)
    sigaddset(&stops, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &stops, nil)
}

/// A single status line on stderr, redrawn at most a few times a second, with rate and ETA.
public struct ProgressLine {
    private let total: Double
    private let unit: String
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private let enabled: Bool

    /// `total` is in the same unit as `update`'s `done` (simulated seconds, frames...).
    public init(total: Double, unit: String, enabled: Bool = Terminal.stderrIsTerminal) {
        self.total = total
        self.unit = unit
        self.enabled = enabled
    }

    public mutating func update(done: Double, detail: String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.2 else { return }
        lastDrawn = now
        let elapsed = max(now.timeIntervalSince(started), 1e-6)
        let rate = done / elapsed
        let eta = rate > 0 ? (total - done) / rate : 0
        let percent = total > 0 ? 100 * done / total : 100
        let line = String(format: "%5.1f%%  %@  %.0f %@/s  ETA %.0fs", percent, detail, rate, unit, max(eta, 0))
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
