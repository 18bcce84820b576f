import CrossingCore

/// Where the export goes, from the config's `export`: `http://host[:port]/path?query` (InfluxDB
/// or VictoriaMetrics, `/write` when no path is given) or `tcp://host:port` (our collector's
/// device protocol).
struct ExportTarget {
    enum Framing {
        /// `POST` requests (docs/line-protocol.md).
        case http
        /// Signed batches (docs/device-protocol.md).
        case batch
    }

    var framing: Framing
    /// `host[:port]`, as the link connects to it and the `Host` header names it.
    var host: ShortText
    var path: ShortText

    /// nil when `target` names no export: empty, another scheme, or no host.
    init?(_ target: ShortText) {
        let schemeBytes: Int
        if target.hasPrefix("http://") {
            framing = .http
            schemeBytes = 7
        } else if target.hasPrefix("tcp://") {
            framing = .batch
            schemeBytes = 6
        } else {
            return nil
        }
        var hostBytes = InlineArray<64, UInt8>(repeating: 0)
        var pathBytes = InlineArray<64, UInt8>(repeating: 0)
        var hostCount = 0
        var pathCount = 0
        for index in schemeBytes..<target.count {
            if pathCount == 0 && target[index] != 0x2F {
                hostBytes[hostCount] = target[index]
                hostCount += 1
            } else {
                pathBytes[pathCount] = target[index]
                pathCount += 1
            }
        }
        guard hostCount > 0, let host = ShortText(hostBytes.span.extracting(0..<hostCount)),
            let path = ShortText(pathBytes.span.extracting(0..<pathCount))
        else { return nil }
        self.host = host
        self.path = path.isEmpty ? ShortText(static: "/write") : path
    }
}
