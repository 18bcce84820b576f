import Foundation

// HTTP on a connection (docs/collector-api.md): requests read within the limits, and routed to
// `/ping`, `/write`, `/metrics`, and the pages and `/report` (CollectorServer+Pages); a write's
// answer is held for the group commit.
extension CollectorServer {
    func handleHTTP(_ connection: Connection, nowMs: Int64) {
        let reader = HTTPRequestReader(headerBytesMax: options.headerBytesMax, bodyBytesMax: options.bodyBytesMax)
        while connection.canHandle && connection.unread > 0 {
            let next: (request: HTTPRequest, consumed: Int)?
            do throws(HTTPError) {
                next = try reader.next(connection.inbound, from: connection.consumed)
            } catch {
                metrics.responses[error.status, default: 0] += 1
                let limit = [413: "body_bytes", 431: "header_bytes"][error.status]
                if let limit {
                    breakLimit(connection, limit, answer: HTTPResponse.error(error.status, error.message, close: true))
                } else {
                    log("http \(connection.peer): \(error.status) \(error.message); closing")
                    connection.send(HTTPResponse.error(error.status, error.message, close: true))
                    connection.closing = true
                }
                return
            }
            guard let (request, used) = next else {
                if connection.unitStartMs == nil { connection.unitStartMs = nowMs }
                return
            }
            connection.consumed += used
            connection.unitStartMs = nil
            if Self.isPage(request.path) {
                if !request.keepAlive { connection.closing = true }
                if let refused = startPage(request, on: connection) {
                    metrics.responses[refused.0, default: 0] += 1
                    connection.send(refused.1)
                } else {
                    pagesWaiting[connection.pageTicket!] = connection.fd
                }
                continue
            }
            let (status, response) = route(request, from: connection)
            metrics.responses[status, default: 0] += 1
            if !request.keepAlive { connection.closing = true }
            if status == 204 && request.path == "/write" || status == 400 && request.path == "/write" {
                connection.held = .bytes(response)
            } else {
                connection.send(response)
            }
        }
    }

    func route(_ request: HTTPRequest, from connection: Connection) -> (Int, [UInt8]) {
        let close = !request.keepAlive
        switch (request.method, request.path) {
        case ("GET", "/ping"), ("HEAD", "/ping"):
            return (204, HTTPResponse.make(204, close: close))
        case ("POST", "/write"):
            return write(request, from: connection)
        case ("GET", "/metrics"):
            metrics.walBytes = Int64(store.wal.bytesOnDisk())
            metrics.bufferedBytes = Int64(bufferedBytes)
            metrics.health = store.ledger.health
            metrics.lastHeardNs = store.ledger.lastHeardNs
            metrics.incarnations = store.ledger.incarnations
            if let relay {
                metrics.relayLines = relay.linesRelayed
                metrics.relayFailures = relay.failures
            }
            return (200, HTTPResponse.make(200, contentType: "text/plain; version=0.0.4", body: Array(metrics.prometheusText(nowNs: Socket.wallNs()).utf8), close: close))
        case (_, "/ping"), (_, "/write"), (_, "/metrics"):
            return (405, HTTPResponse.error(405, "method \(request.method) not allowed on \(request.path)", close: close))
        default:
            return (404, HTTPResponse.error(404, "no such path \(request.path)", close: close))
        }
    }

    func write(_ request: HTTPRequest, from connection: Connection) -> (Int, [UInt8]) {
        let close = !request.keepAlive
        var device: String?
        if let keys {
            switch HTTPAuth.device(request, keys: keys) {
            case .success(let name):
                device = name
            case .failure(let reason):
                log("http \(connection.peer): write refused: \(reason); nothing stored")
                return (401, HTTPResponse.error(401, reason.description, close: close))
            }
        }
        guard let database = request.query["db"], !database.isEmpty else {
            return (400, HTTPResponse.error(400, "database is required", close: close))
        }
        var body = request.body
        if let header = request.header("content-encoding"), header.lowercased() != "identity" {
            guard let encoding = ContentEncoding(header: header) else {
                return (415, HTTPResponse.error(415, "Content-Encoding '\(header)' is not supported; send gzip, deflate or identity", close: close))
            }
            do throws(InflateError) {
                // The body limit holds after inflation too, so a small body cannot become a large one.
                body = try encoding.decode(request.body, outputBytesMax: options.bodyBytesMax)
            } catch {
                let status = error.tooLarge ? 413 : 400
                log("http \(connection.peer): \(encoding.rawValue) body refused: \(error); nothing stored")
                return (status, HTTPResponse.error(status, "\(encoding.rawValue) body: \(error); nothing stored", close: close))
            }
        }
        let result: CollectorStore.Ingest
        do throws(CollectorError) {
            result = try store.ingest(
                body, precision: Precision(parameter: request.query["precision"]), receivedNs: Socket.wallNs(),
                source: CollectorStore.Source(device: device))
        } catch {
            fatal(error)
        }
        count(result, from: "http \(connection.peer)")
        guard let first = result.errors.first else { return (204, HTTPResponse.make(204, close: close)) }
        let message = "partial write: \(first) (\(result.errors.count) lines dropped, \(result.accepted) stored)"
        return (400, HTTPResponse.error(400, message, close: close))
    }
}
