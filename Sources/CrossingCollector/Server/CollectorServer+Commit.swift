import Foundation

// The group commit: every answer that promises durability waits for one sync of the log per
// turn of the loop, however many batches and writes the turn handled.
extension CollectorServer {
    /// Syncs the log once for everything handled this turn, then releases the held answers;
    /// returns the connections released, which have answers to send and may go on.
    func commit() -> Set<Int32> {
        let released = holding
        holding.removeAll(keepingCapacity: true)
        let waiting = released.compactMap { connections[$0] }.filter { $0.held != nil }
        guard !waiting.isEmpty else { return released }
        if store.wal.needsSync {
            do throws(CollectorError) {
                try store.sync()
                try store.compactIfNeeded(keepFrom: relay?.cursorSegment)
            } catch {
                fatal(error)
            }
            metrics.walSyncs += 1
            relay?.publish(durable: store.wal.synced)
        }
        let nowNs = Socket.wallNs()
        for connection in waiting {
            switch connection.held! {
            case .ack(let last, nil): connection.send(Array("ack \(last) \(nowNs)\n".utf8))
            case .ack(let last, let incarnation?): connection.send(Array("ack \(last) \(nowNs) \(incarnation)\n".utf8))
            case .bytes(let bytes): connection.send(bytes)
            }
            connection.held = nil
            connection.fresh = true
            if connection.peerClosed { connection.closing = true }
        }
        return released
    }
}
