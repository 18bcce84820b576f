import Foundation

// The group commit: every answer that promises durability waits until the log writer has synced
// the log past the writes handed over before it; one sync covers every write handed over
// while the one before ran, however many batches and requests they were.
extension CollectorServer {
    /// Releases the held answers whose writes are durable, and returns their connections,
    /// which have answers to send and may go on (a held connection whose answer waits on is
    /// kept in `holding`). Then, after a sync, tells the relay how far the log is durable and
    /// compacts the log when it has grown past its limit.
    func commit() -> Set<Int32> {
        let durable = store.durable
        if let failure = durable.failure { fatal(failure) }
        let released = release(upTo: durable.generation)
        if durable.syncs != syncsSeen {
            // Every sync, held answers or not: the relay may send what it made durable.
            syncsSeen = durable.syncs
            metrics.walSyncs = Int64(durable.syncs)
            relay?.publish(durable: durable.position)
            do throws(CollectorError) {
                try store.compactIfNeeded(keepFrom: relay?.cursorSegment)
            } catch {
                fatal(error)
            }
        }
        return released
    }

    private func release(upTo generation: Int) -> Set<Int32> {
        guard !holding.isEmpty else { return [] }
        var released: Set<Int32> = []
        let nowNs = Socket.wallNs()
        for fd in holding {
            guard let connection = connections[fd] else {
                released.insert(fd)
                continue
            }
            guard let held = connection.held else {
                released.insert(fd)
                continue
            }
            guard connection.heldGeneration <= generation else { continue }
            switch held {
            case .ack(let last, nil): connection.send(Array("ack \(last) \(nowNs)\n".utf8))
            case .ack(let last, let incarnation?): connection.send(Array("ack \(last) \(nowNs) \(incarnation)\n".utf8))
            case .bytes(let bytes): connection.send(bytes)
            }
            connection.held = nil
            connection.fresh = true
            if connection.peerClosed { connection.closing = true }
            released.insert(fd)
        }
        holding.subtract(released)
        return released
    }
}
