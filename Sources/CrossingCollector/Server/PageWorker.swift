import Foundation

/// Builds pages and reports on a thread of its own, so that a report over a year of totals
/// never holds up the event loop's reads, parses and acks.
///
/// The loop hands over a request with a copy of the ledger: a copy costs nothing when taken,
/// since the ledger's storage is shared until the loop next changes it, and then the loop
/// copies only what it changes. The finished answer comes back through `takeFinished`, and
/// `onFinished` (the loop's wakeup) says there is one.
final class PageWorker: @unchecked Sendable {
    /// What a page needs, taken on the loop.
    struct Job: Sendable {
        var ticket: Int
        var request: HTTPRequest
        var ledger: Ledger
        var sites: SiteConfig
        var nowS: Int64
    }

    struct Finished {
        var ticket: Int
        var status: Int
        var response: [UInt8]
    }

    /// Pages built or waiting at once, at most: each holds a ledger that the loop may since
    /// have changed, so their number bounds the memory they can hold.
    static let inFlightMax = 4

    private let build: @Sendable (Job) -> (Int, [UInt8])
    private let onFinished: @Sendable () -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [Job] = []
    private var finished: [Finished] = []
    private var running = 0
    private var stopping = false
    private var done = false

    init(build: @escaping @Sendable (Job) -> (Int, [UInt8]), onFinished: @escaping @Sendable () -> Void) {
        self.build = build
        self.onFinished = onFinished
        let thread = Thread { [self] in run() }
        thread.name = "collector-pages"
        thread.start()
    }

    /// Pages handed over and not yet taken back.
    var inFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count + running + finished.count
    }

    func submit(_ job: Job) {
        condition.lock()
        queue.append(job)
        condition.broadcast()
        condition.unlock()
    }

    func takeFinished() -> [Finished] {
        condition.lock()
        defer { condition.unlock() }
        let taken = finished
        finished.removeAll()
        return taken
    }

    /// Ends the thread once the page it is building is built; pages not started are dropped.
    func stop() {
        condition.lock()
        stopping = true
        queue.removeAll()
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }

    private func run() {
        runInBackground()
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if stopping {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = queue.removeFirst()
            running = 1
            condition.unlock()
            let (status, response) = build(job)
            condition.lock()
            running = 0
            finished.append(Finished(ticket: job.ticket, status: status, response: response))
            condition.unlock()
            onFinished()
        }
    }
}
