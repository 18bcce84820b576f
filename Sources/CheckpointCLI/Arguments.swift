/// A command line misused: the message says what, and the tool exits 2.
public struct UsageError: Error, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// Parsed `--name value` options and `--flag` switches after a subcommand. Anything the
/// command did not declare is a usage error, so a typo never silently changes a run.
public struct Arguments {
    public let command: String?
    private var values: [String: String] = [:]
    private var flags: Set<String> = []
    public private(set) var positional: [String] = []
    /// Every argument that is not an option, in order: for a command that takes operands
    /// rather than a subcommand.
    public var operands: [String] { (command.map { [$0] } ?? []) + positional }

    /// Parses `arguments` (without the program name). `valueOptions` take a value, `flagOptions`
    /// do not; both are given without the leading dashes.
    public init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws(UsageError) {
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("-") {
            command = first
            rest = rest.dropFirst()
        } else {
            command = nil
        }
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flagOptions.contains(name) {
                if inlineValue != nil { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
            } else if valueOptions.contains(name) {
                guard let value = inlineValue ?? rest.popFirst() else { throw UsageError("--\(name) needs a value") }
                values[name] = value
            } else {
                throw UsageError("unknown option --\(name)")
            }
        }
    }

    public func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    public func value(_ name: String) -> String? {
        values[name]
    }

    /// An integer option within `range`, or nil when absent.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return number
    }

    /// An unsigned 64-bit option (seeds), or nil when absent.
    public func unsigned(_ name: String) throws(UsageError) -> UInt64? {
        guard let text = values[name] else { return nil }
        guard let number = UInt64(text) else { throw UsageError("--\(name) must be an unsigned integer, got '\(text)'") }
        return number
    }

    /// A non-negative number option (durations), or nil when absent.
    public func number(_ name: String, in range: ClosedRange<Double>) throws(UsageError) -> Double? {
        guard let text = values[name] else { return nil }
        guard let number = Double(text), number.isFinite, range.contains(number) else {
            throw UsageError("--\(name) must be a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return number
    }
}
