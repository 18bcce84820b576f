import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A descriptor another thread makes readable to wake the event loop out of `epoll_wait`:
/// the log writer says a group commit is durable this way. An `eventfd` counts the signals,
/// so one read takes any number of them.
final class Wakeup: @unchecked Sendable {
    let fd: Int32

    init() throws(CollectorError) {
        fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard fd >= 0 else { throw .system("eventfd") }
    }

    deinit { close(fd) }

    /// From any thread.
    func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Takes every signal so far, so that the descriptor is no longer readable.
    func drain() {
        var count: UInt64 = 0
        _ = read(fd, &count, 8)
    }
}
