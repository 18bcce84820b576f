import Foundation

/// The small pieces every page is built from: escaping, links that carry a site's name safely,
/// times as people read them, and the page's frame.
enum HTML {
    /// Text or an attribute value, escaped for HTML.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A path segment or query value, percent-encoded (RFC 3986: all but the unreserved).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `/report?site=...&from=...&to=...&by=...`, the JSON of exactly a table's figures.
    static func reportLink(site: String, fromS: Int64, toS: Int64, by: ReportInterval, csv: Bool = false) -> String {
        "/report?site=\(percentEncoded(site))&from=\(fromS)&to=\(toS)&by=\(by.rawValue)" + (csv ? "&format=csv" : "")
    }

    static func siteLink(_ site: String) -> String { "/site/\(percentEncoded(site))" }

    /// `2022-09-22 13:05 UTC`.
    static func time(_ seconds: Int64) -> String {
        let text = ReportQuery.text(seconds)
        return text.prefix(10) + " " + text.dropFirst(11).prefix(5) + " UTC"
    }

    /// `13:05`.
    static func clock(_ seconds: Int64) -> String { String(ReportQuery.text(seconds).dropFirst(11).prefix(5)) }

    /// `42 s`, `7 min`, `3 h 10 min` or `2 days`.
    static func age(_ seconds: Int64) -> String {
        switch seconds {
        case ..<90: "\(max(0, seconds)) s"
        case ..<3600: "\(seconds / 60) min"
        case ..<172_800: "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: "\(seconds / 86_400) days"
        }
    }

    static func number(_ value: Double, decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    /// A whole page: its title, the stylesheet and script inline (a border post may have no
    /// internet, so nothing loads from elsewhere), and a refresh for browsers without script.
    static func page(title: String, refreshS: Int?, body: String) -> String {
        var head = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>

            """
        if let refreshS {
            head += "<noscript><meta http-equiv=\"refresh\" content=\"\(refreshS)\"></noscript>\n"
            head += "<script>\(PageStyle.script(refreshS: refreshS))</script>\n"
        }
        return head + "<style>\(PageStyle.css)</style>\n</head>\n<body>\n" + body + "\n</body>\n</html>\n"
    }
}
