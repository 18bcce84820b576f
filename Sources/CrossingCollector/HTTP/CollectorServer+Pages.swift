import Foundation

// The pages people read (docs/collector-api.md, "Pages"): `GET /`, `GET /site/NAME` and
// `GET /export/DAY.zip`, and `GET /report` as JSON or CSV. They are public, as InfluxDB's
// queries are without auth, unless `serve --ui-token` is set; then each needs the token.
extension CollectorServer {
    static func isPage(_ path: String) -> Bool {
        path == "/" || path == "/report" || path.hasPrefix("/site/") || path.hasPrefix("/export/")
    }

    /// Answers a page's request: a refusal at once, returned; anything else is built on the
    /// page worker from a copy of the ledger, and its answer comes back through `collectPages`.
    func startPage(_ request: HTTPRequest, on connection: Connection) -> (Int, [UInt8])? {
        let close = !request.keepAlive
        guard request.method == "GET" || request.method == "HEAD" else {
            return (405, HTTPResponse.error(405, "method \(request.method) not allowed on \(request.path)", close: close))
        }
        if let token = options.uiToken, !Self.carries(request, token: token) {
            return (401, HTTPResponse.error(
                401, "this collector's pages need its UI token", close: close,
                headers: [("WWW-Authenticate", "Basic realm=\"checkpoint-collector\", charset=\"UTF-8\"")]))
        }
        guard let pages, pages.inFlight < PageWorker.inFlightMax else {
            return (503, HTTPResponse.error(503, "busy building other pages; try again", close: close, headers: [("Retry-After", "1")]))
        }
        nextPageTicket += 1
        connection.pageTicket = nextPageTicket
        pages.submit(PageWorker.Job(
            ticket: nextPageTicket, request: request, ledger: store.ledger, sites: sites, nowS: Socket.wallNs().dividedFlooring(by: 1_000_000_000)))
        return nil
    }

    /// Sends the pages the worker has built to the connections still waiting for them;
    /// returns those connections.
    func collectPages() -> Set<Int32> {
        guard let pages, !pagesWaiting.isEmpty else { return [] }
        var released: Set<Int32> = []
        for page in pages.takeFinished() {
            metrics.responses[page.status, default: 0] += 1
            guard let fd = pagesWaiting.removeValue(forKey: page.ticket), let connection = connections[fd],
                connection.pageTicket == page.ticket
            else { continue }
            connection.send(page.response)
            connection.pageTicket = nil
            connection.fresh = true
            if connection.peerClosed { connection.closing = true }
            released.insert(fd)
        }
        return released
    }

    /// The answer to a page's request, built from the job's ledger (on the page worker).
    static func answer(_ job: PageWorker.Job) -> (Int, [UInt8]) {
        let request = job.request
        let close = !request.keepAlive
        let answer: (Int, [UInt8])
        do throws(ReportError) {
            answer = request.path == "/report" ? try report(request.query, job: job, close: close) : try page(request, job: job, close: close)
        } catch {
            answer = (400, HTTPResponse.error(400, error.description, close: close))
        }
        // HEAD: the same head, no body.
        guard request.method == "HEAD", let end = Self.headEnd(answer.1) else { return answer }
        return (answer.0, Array(answer.1[..<end]))
    }

    static func report(_ parameters: [String: String], job: PageWorker.Job, close: Bool) throws(ReportError) -> (Int, [UInt8]) {
        var parameters = parameters
        let format = parameters.removeValue(forKey: "format") ?? "json"
        guard format == "json" || format == "csv" else { throw ReportError("format: '\(format)' is not json or csv") }
        let report = Report(ledger: job.ledger, query: try ReportQuery(parameters: parameters), sites: job.sites)
        if format == "csv" {
            return (200, HTTPResponse.make(200, contentType: "text/csv; charset=utf-8", body: Array(report.csv().utf8), close: close))
        }
        return (200, HTTPResponse.make(200, contentType: "application/json", body: Array(report.json().utf8), close: close))
    }

    static func page(_ request: HTTPRequest, job: PageWorker.Job, close: Bool) throws(ReportError) -> (Int, [UInt8]) {
        guard let page = try PageRequest(path: request.path, query: request.query) else {
            return (404, HTTPResponse.error(404, "no such path \(request.path)", close: close))
        }
        let answer = try page.answer(ledger: job.ledger, sites: job.sites, nowS: job.nowS)
        guard answer.status == 200 else { return (answer.status, HTTPResponse.error(answer.status, answer.text, close: close)) }
        return (200, HTTPResponse.make(200, contentType: answer.contentType, body: answer.body, close: close, headers: answer.headers))
    }

    /// Whether the request carries the UI token: as HTTP Basic's password (what a browser
    /// asks for), or as `Authorization: Bearer TOKEN`.
    static func carries(_ request: HTTPRequest, token: String) -> Bool {
        guard let header = request.header("authorization") else { return false }
        var offered = ""
        if header.lowercased().hasPrefix("bearer ") {
            offered = String(header.dropFirst(7))
        } else if header.lowercased().hasPrefix("basic "), let data = Data(base64Encoded: String(header.dropFirst(6))),
            let pair = String(data: data, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        {
            offered = String(pair[pair.index(after: colon)...])
        }
        return constantTimeEqual(Array(offered.utf8), Array(token.utf8))
    }

    static func headEnd(_ response: [UInt8]) -> Int? {
        HTTPRequestReader.find([0x0D, 0x0A, 0x0D, 0x0A], in: response, from: 0, limit: response.count).map { $0 + 4 }
    }
}
