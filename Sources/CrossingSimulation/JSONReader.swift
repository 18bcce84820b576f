import Foundation

/// Where in a JSON document a value sits, as a path such as `lanes[1].sensor.fov_deg`.
public struct ScenarioError: Error, Equatable, CustomStringConvertible {
    /// The file, or "<input>".
    public var file: String
    /// The field path within the document ("" for the document itself).
    public var field: String
    public var reason: String

    public init(file: String, field: String, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }

    public var description: String {
        field.isEmpty ? "\(file): \(reason)" : "\(file): \(field): \(reason)"
    }
}

/// Reads a JSON object field by field, refusing unknown fields and wrong types, and naming the
/// field in every error. Every object must be read with `finish()` so unknown keys are caught.
package struct JSONReader {
    package let file: String
    package let path: String
    private let object: [String: Any]
    private var seen: Set<String> = []

    package init(file: String, path: String, value: Any?) throws(ScenarioError) {
        guard let object = value as? [String: Any] else {
            throw ScenarioError(file: file, field: path, reason: "must be an object")
        }
        self.file = file
        self.path = path
        self.object = object
    }

    /// The bytes of the file at `path`, or an error naming it.
    package static func contents(of path: String) throws(ScenarioError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, field: "", reason: "cannot be read")
        }
        return data
    }

    package static func parse(data: Data, file: String) throws(ScenarioError) -> JSONReader {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw ScenarioError(file: file, field: "", reason: "not valid JSON: \(detail)")
        }
        return try JSONReader(file: file, path: "", value: value)
    }

    package func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    package func fail(_ key: String, _ reason: String) -> ScenarioError {
        ScenarioError(file: file, field: child(key), reason: reason)
    }

    package func has(_ key: String) -> Bool { object[key] != nil }

    package mutating func raw(_ key: String) -> Any? {
        seen.insert(key)
        return object[key]
    }

    package mutating func number(_ key: String, default fallback: Double? = nil, in range: ClosedRange<Double>) throws(ScenarioError) -> Double {
        guard let value = raw(key) else {
            if let fallback { return fallback }
            throw fail(key, "is required")
        }
        guard let number = value as? NSNumber, !JSONReader.isBoolean(value) else {
            throw fail(key, "must be a number")
        }
        let double = number.doubleValue
        guard double.isFinite, range.contains(double) else {
            throw fail(key, "must be in \(format(range.lowerBound))...\(format(range.upperBound)), got \(format(double))")
        }
        return double
    }

    package mutating func integer(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let value = try number(key, default: fallback.map(Double.init), in: Double(range.lowerBound)...Double(range.upperBound))
        guard value == value.rounded() else { throw fail(key, "must be a whole number, got \(format(value))") }
        return Int(value)
    }

    package mutating func string(_ key: String, default fallback: String? = nil) throws(ScenarioError) -> String {
        guard let value = raw(key) else {
            if let fallback { return fallback }
            throw fail(key, "is required")
        }
        guard let text = value as? String, !text.isEmpty else { throw fail(key, "must be a non-empty string") }
        return text
    }

    /// A non-empty string, or nil when the key is absent.
    package mutating func optionalString(_ key: String) throws(ScenarioError) -> String? {
        has(key) ? try string(key) : nil
    }

    package mutating func choice<T>(_ key: String, default fallback: T? = nil, _ choices: [(String, T)]) throws(ScenarioError) -> T {
        if !has(key), let fallback {
            seen.insert(key)
            return fallback
        }
        let text = try string(key)
        guard let match = choices.first(where: { $0.0 == text }) else {
            throw fail(key, "must be one of \(choices.map(\.0).joined(separator: ", ")), got '\(text)'")
        }
        return match.1
    }

    package mutating func bool(_ key: String, default fallback: Bool) throws(ScenarioError) -> Bool {
        guard let value = raw(key) else { return fallback }
        guard let number = value as? NSNumber, JSONReader.isBoolean(value) else {
            throw fail(key, "must be true or false")
        }
        return number.boolValue
    }

    package mutating func object(_ key: String) throws(ScenarioError) -> JSONReader? {
        guard let value = raw(key) else { return nil }
        return try JSONReader(file: file, path: child(key), value: value)
    }

    package mutating func array(_ key: String) throws(ScenarioError) -> [Any]? {
        guard let value = raw(key) else { return nil }
        guard let items = value as? [Any] else { throw fail(key, "must be a list") }
        return items
    }

    /// Refuses any key that was not read: a typo must not silently fall back to a default.
    package func finish() throws(ScenarioError) {
        let unknown = Set(object.keys).subtracting(seen).sorted()
        if let first = unknown.first {
            throw ScenarioError(file: file, field: child(first), reason: "unknown field")
        }
    }

    /// JSONSerialization gives booleans and numbers alike as NSNumber; only the class differs.
    package static func isBoolean(_ value: Any) -> Bool {
        String(describing: type(of: value)).contains("Boolean")
    }

    package func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
