import Foundation

#if canImport(Glibc)
import Glibc
#endif

// The connections on the event loop: accepting within the limit, reading within the read-ahead
// and the shared budget, writing out, timing out, and closing without losing an answer.
extension CollectorServer {
    func readAheadMax(_ connection: Connection) -> Int {
        connection.kind == .device ? options.lineBytesMax + (256 << 10) : options.headerBytesMax + options.bodyBytesMax + (64 << 10)
    }

    /// Within its own read-ahead, and within the shared budget or under its floor.
    func mayRead(_ connection: Connection) -> Bool {
        connection.unread < readAheadMax(connection)
            && (bufferedBytes < options.bufferedBytesMax || connection.bufferedBytes < options.connectionFloorBytes)
    }

    func acceptAll(_ listener: Int32, kind: Connection.Kind, nowMs: Int64) {
        while let (fd, peer) = Socket.accept(listener) {
            guard connections.count < options.connectionsMax else {
                metrics.connectionsRefused += 1
                let refusal = kind == .device ? Array("nack busy\n".utf8) : HTTPResponse.error(503, "too many connections", close: true)
                _ = refusal.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
                close(fd)
                continue
            }
            let connection = Connection(fd: fd, kind: kind, peer: peer, nowMs: nowMs)
            do throws(CollectorError) {
                try poller.add(fd, interest: Poller.readable)
            } catch {
                log("\(error); refusing \(peer)")
                close(fd)
                metrics.connectionsRefused += 1
                continue
            }
            connection.interest = Poller.readable
            metrics.connectionsAccepted += 1
            connections[fd] = connection
        }
        metrics.connectionsOpen = Int64(connections.count)
    }

    func read(_ connection: Connection, nowMs: Int64) {
        if connection.lingerUntilMs != nil {
            for _ in 0..<4 {
                let got = readChunk.withUnsafeMutableBytes { Glibc.read(connection.fd, $0.baseAddress!, $0.count) }
                if got > 0 { continue }
                if got == 0 || errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { connection.broken = true }
                break
            }
            return
        }
        var taken = 0
        while taken < 256 << 10 && mayRead(connection) {
            let got = readChunk.withUnsafeMutableBytes { Glibc.read(connection.fd, $0.baseAddress!, $0.count) }
            if got > 0 {
                connection.inbound += readChunk[0..<got]
                taken += got
                bufferedBytes += got
                connection.lastActivityMs = nowMs
                connection.fresh = true
                continue
            }
            if got == 0 {
                connection.peerClosed = true
                connection.fresh = true
            } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                // A reset: the client is gone, and so is anything it had not sent whole.
                connection.closing = true
                connection.broken = true
                connection.outbound.removeAll()
                connection.written = 0
            }
            break
        }
    }

    /// Breaks a limit: count it, tell the client, close after the telling.
    func breakLimit(_ connection: Connection, _ limit: String, answer: [UInt8]) {
        metrics.limitsBroken[limit, default: 0] += 1
        log("\(kindName(connection)) \(connection.peer): \(limit) limit broken; closing")
        connection.send(answer)
        connection.closing = true
    }

    func kindName(_ connection: Connection) -> String { connection.kind == .device ? "tcp" : "http" }

    func flush(_ connection: Connection, nowMs: Int64) {
        while connection.wantsWrite {
            let sent = connection.outbound.withUnsafeBytes {
                Glibc.send(connection.fd, $0.baseAddress! + connection.written, $0.count - connection.written, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                connection.written += sent
                connection.lastActivityMs = nowMs
                continue
            }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            connection.closing = true
            connection.broken = true
            connection.outbound.removeAll()
            connection.written = 0
            return
        }
        connection.compact()
        // What it sent while its answers piled up can be handled now.
        if connection.unread > 0 { connection.fresh = true }
    }

    func expire(_ connection: Connection, nowMs: Int64) {
        guard !connection.closing, !connection.waiting else { return }
        if let start = connection.unitStartMs, nowMs - start > options.requestTimeoutMs {
            let answer = connection.kind == .device ? Array("nack timeout\n".utf8) : HTTPResponse.error(408, "request not complete within \(options.requestTimeoutMs) ms", close: true)
            breakLimit(connection, "request_time", answer: answer)
        } else if nowMs - connection.lastActivityMs > options.idleTimeoutMs {
            metrics.limitsBroken["idle", default: 0] += 1
            connection.closing = true
        }
    }

    /// Closes once the answer is out: at once when the client has closed or nothing more can
    /// go, else after lingering (Connection.lingerUntilMs) so the answer is not lost.
    func closeGracefully(_ connection: Connection, nowMs: Int64) {
        if connection.broken || connection.peerClosed {
            return drop(connection)
        }
        guard let until = connection.lingerUntilMs else {
            shutdown(connection.fd, Int32(SHUT_WR))
            connection.lingerUntilMs = nowMs + Self.lingerMs
            bufferedBytes -= connection.bufferedBytes
            connection.inbound = []
            connection.consumed = 0
            connection.batch = []
            return
        }
        if nowMs >= until { drop(connection) }
    }

    static let lingerMs: Int64 = 2000

    func drop(_ connection: Connection) {
        // Closing the descriptor takes it off the poller's list too.
        close(connection.fd)
        bufferedBytes -= connection.bufferedBytes
        connections[connection.fd] = nil
        attention.remove(connection.fd)
        holding.remove(connection.fd)
        metrics.connectionsOpen = Int64(connections.count)
    }
}
