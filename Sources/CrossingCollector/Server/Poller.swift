import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Readiness of the collector's sockets, by Linux's `epoll`: the kernel keeps the interest
/// list, so a turn of the loop costs what is ready, not what is open. With 10,000 devices each
/// holding a connection and sending a batch a minute, `poll` would hand the kernel 10,000
/// descriptors every turn to report two. The collector builds only on Linux (Glibc), where
/// `epoll` is always there, so there is no `poll` fallback to keep.
///
/// Level-triggered: a descriptor stays ready until it is read or written out, so a turn that
/// stops reading one early (its read-ahead full) loses nothing.
struct Poller: ~Copyable {
    let fd: Int32
    /// What `wait` filled: descriptor and events.
    private(set) var ready: [(fd: Int32, events: UInt32)] = []
    private var events: [epoll_event]

    static let eventsMax = 1024

    init() throws(CollectorError) {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw .system("epoll_create1") }
        events = Array(repeating: epoll_event(), count: Self.eventsMax)
    }

    deinit { close(fd) }

    static let readable = UInt32(EPOLLIN.rawValue)
    static let writable = UInt32(EPOLLOUT.rawValue)
    /// Hang-up and error are always reported; a read then finds the end or the error.
    static let closed = UInt32(EPOLLHUP.rawValue | EPOLLERR.rawValue)

    /// Starts watching `descriptor` for `interest` (readable, writable, both or neither).
    func add(_ descriptor: Int32, interest: UInt32) throws(CollectorError) {
        try control(EPOLL_CTL_ADD, descriptor, interest)
    }

    func change(_ descriptor: Int32, interest: UInt32) throws(CollectorError) {
        try control(EPOLL_CTL_MOD, descriptor, interest)
    }

    private func control(_ operation: Int32, _ descriptor: Int32, _ interest: UInt32) throws(CollectorError) {
        var event = epoll_event()
        event.events = interest
        event.data.fd = descriptor
        guard epoll_ctl(fd, operation, descriptor, &event) == 0 else { throw .system("epoll_ctl \(descriptor)") }
    }

    /// Waits up to `timeoutMs` (0: not at all) and fills `ready`.
    mutating func wait(timeoutMs: Int32) throws(CollectorError) {
        let count = events.withUnsafeMutableBufferPointer { epoll_wait(fd, $0.baseAddress!, Int32($0.count), timeoutMs) }
        ready.removeAll(keepingCapacity: true)
        if count < 0 {
            if errno == EINTR { return }
            throw .system("epoll_wait")
        }
        for index in 0..<Int(count) { ready.append((events[index].data.fd, events[index].events)) }
    }
}
