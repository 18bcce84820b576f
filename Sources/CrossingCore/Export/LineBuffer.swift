/// Why a line was not added to a `LineBuffer`. The buffer is left as it was.
public enum LineError: Error, Equatable, Sendable {
    /// The whole line does not fit in the space left: send what the buffer holds, then retry.
    case doesNotFit
    /// A tag value is empty, or holds a byte the line protocol cannot carry in a tag: a
    /// newline or other control byte, or a backslash (InfluxDB 1.x and VictoriaMetrics read
    /// it differently).
    case unrepresentable
}

/// InfluxDB line protocol written into a fixed buffer the caller owns, one whole line at a
/// time and never a part of one: no allocation, `i` integers, nanosecond timestamps, `\n`
/// line ends (docs/line-protocol.md).
///
/// A line is `begin`, then its tags, then its fields, then `end`. A piece that does not fit
/// or cannot be written marks the line; `end` then throws and takes the whole line back out.
///
///     var buffer = LineBuffer<512>()
///     buffer.begin("crossings")
///     buffer.tag("site", site)
///     buffer.field("count", 3)
///     try buffer.end(timestampNs: 1_663_750_800_000_000_000)
public struct LineBuffer<let capacity: Int> {
    private var storage = InlineArray<capacity, UInt8>(repeating: 0)
    /// Bytes of whole lines, plus those of the line being written.
    public private(set) var count = 0
    private var lineStart = 0
    private var fields = 0
    private var open = false
    private var failure: LineError?

    public init() {}

    /// Bytes of whole lines held.
    public var committedCount: Int { open ? lineStart : count }

    public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < committedCount)
        return storage[index]
    }

    /// The whole lines held, to send. `mutating` only so that Swift reads them where they lie
    /// instead of copying the whole buffer to the stack (docs/embedded.md, "Stack").
    public mutating func withBytes<Result, E: Error>(_ body: (Span<UInt8>) throws(E) -> Result) throws(E) -> Result {
        try body(storage.span.extracting(0..<committedCount))
    }

    /// Forgets the first `bytes` bytes (sent), keeping the rest in order.
    public mutating func removeFirst(_ bytes: Int) {
        precondition(!open && bytes >= 0 && bytes <= count)
        for index in bytes..<count { storage[index - bytes] = storage[index] }
        count -= bytes
    }

    /// Takes back every whole line after the first `bytes`, as when a group of lines must go
    /// together or not at all.
    public mutating func truncate(to bytes: Int) {
        precondition(!open && bytes >= 0 && bytes <= count)
        count = bytes
    }

    public mutating func removeAll() {
        precondition(!open)
        count = 0
    }

    /// Starts a line with its measurement.
    public mutating func begin(_ measurement: StaticString) {
        precondition(!open, "end the line before beginning another")
        open = true
        lineStart = count
        fields = 0
        failure = nil
        measurement.withUTF8Buffer { name in
            for byte in name { putEscaped(byte, alsoEquals: false) }
        }
    }

    /// Adds a tag. Tags come before fields.
    public mutating func tag(_ key: StaticString, _ value: ShortText) {
        precondition(open && fields == 0, "tags come before fields")
        guard value.isTagSafe else { return fail(.unrepresentable) }
        put(0x2C)
        putKey(key)
        put(0x3D)
        for index in 0..<value.count { putEscaped(value[index], alsoEquals: true) }
    }

    /// Adds a tag whose value is a number, in decimal (a device's incarnation).
    public mutating func tag(_ key: StaticString, decimal value: Int64) {
        precondition(open && fields == 0, "tags come before fields")
        put(0x2C)
        putKey(key)
        put(0x3D)
        putDecimal(value)
    }

    /// Adds a tag whose value is fixed in the firmware (a class or direction name).
    public mutating func tag(_ key: StaticString, _ value: StaticString) {
        tag(key, ShortText(static: value))
    }

    /// Adds an integer field, as `key=valuei`.
    public mutating func field(_ key: StaticString, _ value: Int64) {
        beginField(key)
        putDecimal(value)
        put(0x69)
    }

    /// Adds a boolean field.
    public mutating func field(_ key: StaticString, _ value: Bool) {
        beginField(key)
        if value { put(0x74) } else { put(0x66) }
    }

    /// Adds a string field, quoted, with `"` and `\` escaped. Any other byte, a newline too,
    /// is carried as it is.
    public mutating func field(_ key: StaticString, _ value: ShortText) {
        beginField(key)
        put(0x22)
        for index in 0..<value.count {
            let byte = value[index]
            if byte == 0x22 || byte == 0x5C { put(0x5C) }
            put(byte)
        }
        put(0x22)
    }

    /// Adds a string field from a static string.
    public mutating func field(_ key: StaticString, _ value: StaticString) {
        field(key, ShortText(static: value))
    }

    /// Ends the line with its timestamp in nanoseconds, or with none, for the receiver to
    /// stamp with its own time. On failure the line is taken back out.
    public mutating func end(timestampNs: Int64?) throws(LineError) {
        precondition(open && fields > 0, "a line needs at least one field")
        if let timestampNs {
            put(0x20)
            putDecimal(timestampNs)
        }
        put(0x0A)
        open = false
        if let failure {
            count = lineStart
            throw failure
        }
    }

    private mutating func beginField(_ key: StaticString) {
        precondition(open)
        put(fields == 0 ? 0x20 : 0x2C)
        putKey(key)
        put(0x3D)
        fields += 1
    }

    private mutating func putKey(_ key: StaticString) {
        key.withUTF8Buffer { bytes in
            for byte in bytes { putEscaped(byte, alsoEquals: true) }
        }
    }

    /// Commas and spaces are escaped everywhere outside strings; equals signs in keys and tag
    /// values.
    private mutating func putEscaped(_ byte: UInt8, alsoEquals: Bool) {
        if byte == 0x2C || byte == 0x20 || (alsoEquals && byte == 0x3D) { put(0x5C) }
        put(byte)
    }

    private mutating func putDecimal(_ value: Int64) {
        let text = DecimalText(value)
        for index in 0..<text.count { put(text[index]) }
    }

    private mutating func put(_ byte: UInt8) {
        guard count < capacity else { return fail(.doesNotFit) }
        storage[count] = byte
        count += 1
    }

    private mutating func fail(_ error: LineError) {
        if failure == nil { failure = error }
    }
}
