import Foundation

// The device protocol on a connection (docs/device-protocol.md): lines gathered into a batch
// until its trailer, the batch judged and stored, its `ack` held for the group commit.
extension CollectorServer {
    func handleDevice(_ connection: Connection, nowMs: Int64) {
        while connection.canHandle {
            guard let newline = connection.inbound[connection.consumed...].firstIndex(of: 0x0A) else {
                if connection.unread > options.lineBytesMax {
                    breakLimit(connection, "line_bytes", answer: Array("nack line-too-long\n".utf8))
                } else if connection.unread > 0 && connection.unitStartMs == nil {
                    connection.unitStartMs = nowMs
                }
                return
            }
            let line = Array(connection.inbound[connection.consumed..<newline])
            connection.consumed = newline + 1
            if connection.unitStartMs == nil { connection.unitStartMs = nowMs }
            if line.count > options.lineBytesMax {
                breakLimit(connection, "line_bytes", answer: Array("nack line-too-long\n".utf8))
                return
            }
            if line.first == 0x23 {
                if line.starts(with: Array("# batch".utf8)) { answer(trailer: line, on: connection) }
                continue
            }
            connection.batch += line
            connection.batch.append(0x0A)
            if connection.batch.count > options.batchBytesMax {
                breakLimit(connection, "batch_bytes", answer: Array("nack batch-too-large\n".utf8))
                return
            }
        }
    }

    func answer(trailer line: [UInt8], on connection: Connection) {
        let lines = connection.batch
        connection.batch = []
        connection.unitStartMs = nil
        let judged: (verdict: DeviceBatches.Verdict, ingest: CollectorStore.Ingest?)
        do throws(CollectorError) {
            judged = try batches.accept(lines: lines, trailer: line, keys: keys, store: store, receivedNs: Socket.wallNs())
        } catch {
            fatal(error)
        }
        switch judged.verdict {
        case .refused(let reason, let detail):
            metrics.batches[reason, default: 0] += 1
            log("tcp \(connection.peer): batch refused (\(reason)): \(detail); nothing stored")
            connection.send(Array("nack \(reason)\n".utf8))
            connection.closing = true
        case .repeated(let device, let first, let last):
            metrics.batches["repeat", default: 0] += 1
            log("tcp \(connection.peer): device \(device) batch \(first)-\(last) stored before (a resend or a replay); nothing stored")
            connection.held = .ack(last, incarnation: nil)
        case .stored(let device, let last, let incarnation):
            if let result = judged.ingest { count(result, from: "tcp \(connection.peer) device \(device)") }
            metrics.batches["ack", default: 0] += 1
            if let incarnation {
                metrics.incarnationsGiven += 1
                log("tcp \(connection.peer): device \(device) booted with blank flash: incarnation \(incarnation) given")
            }
            connection.held = .ack(last, incarnation: incarnation)
        }
    }

    func count(_ result: CollectorStore.Ingest, from source: String) {
        metrics.linesAccepted += Int64(result.accepted)
        metrics.linesDuplicate += Int64(result.duplicates)
        metrics.linesRejected += Int64(result.errors.count)
        for error in result.errors.prefix(3) { log("\(source): \(error)") }
        if result.errors.count > 3 { log("\(source): \(result.errors.count - 3) more bad lines") }
    }
}
