import Foundation

/// Responses as InfluxDB 1.x shapes them, so that its clients read ours: errors are JSON
/// `{"error": "..."}`, and every response names a version and carries the `Date`, from which
/// a device exporting over HTTP learns wall time.
enum HTTPResponse {
    static let reasons = [
        200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
        408: "Request Timeout", 413: "Request Entity Too Large", 415: "Unsupported Media Type",
        431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable",
    ]

    static func make(
        _ status: Int, contentType: String? = nil, body: [UInt8] = [], close: Bool, headers: [(String, String)] = []
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\nX-Influxdb-Version: 1.8-checkpoint-collector\r\n"
        head += "Date: \(imfFixdate(Int64(Date().timeIntervalSince1970)))\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if status != 204 { head += "Content-Length: \(body.count)\r\n" }
        if close { head += "Connection: close\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110's IMF-fixdate) for `seconds` since 1970.
    static func imfFixdate(_ seconds: Int64) -> String {
        let days = seconds.dividedFlooring(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let date = CivilDate(daysSince1970: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int((days % 7 + 7) % 7)]), \(two(date.day)) \(months[Int(date.month - 1)]) \(date.year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }

    static func error(_ status: Int, _ message: String, close: Bool, headers: [(String, String)] = []) -> [UInt8] {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.sortedKeys])) ?? Data()
        return make(status, contentType: "application/json", body: Array(body) + [0x0A], close: close, headers: headers)
    }
}
