import Foundation

/// A JSON value with object keys kept in the order written, so output is byte-stable.
public indirect enum JSONValue: Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// Compact JSON text.
    public func rendered() -> String {
        switch self {
        case .object(let members):
            return "{" + members.map { "\(JSONValue.quote($0.0)):\($0.1.rendered())" }.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map { $0.rendered() }.joined(separator: ",") + "]"
        case .string(let text):
            return JSONValue.quote(text)
        case .integer(let value):
            return String(value)
        case .unsigned(let value):
            return String(value)
        case .number(let value):
            guard value.isFinite else { return "null" }
            if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
            // Swift's description is the shortest text that reads back as the same double.
            return value.description
        case .bool(let value):
            return value ? "true" : "false"
        case .null:
            return "null"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
