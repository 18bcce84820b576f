import CrossingCore

/// A line of a HIL rig's text (an output line, an ack) of at most `capacity` bytes, built
/// without the heap.
struct HILText<let capacity: Int> {
    private var bytes = InlineArray<capacity, UInt8>(repeating: 0)
    private(set) var count = 0

    mutating func put(_ text: StaticString) {
        text.withUTF8Buffer { utf8 in
            for byte in utf8 { append(byte) }
        }
    }

    mutating func put(_ value: Int64) {
        let text = DecimalText(value)
        for index in 0..<text.count { append(text[index]) }
    }

    /// Ends the line.
    mutating func endLine() {
        append(0x0A)
    }

    /// Ends the line, writes it to `output`, and starts the next.
    mutating func end(to output: inout some HILOutput) {
        endLine()
        output.write(bytes.span.extracting(0..<count))
        count = 0
    }

    /// Moves the front of the text into `target`, as much as fits: how many bytes moved.
    mutating func drain(into target: inout MutableSpan<UInt8>) -> Int {
        let moved = min(count, target.count)
        for index in 0..<moved { target[index] = bytes[index] }
        for index in moved..<count { bytes[index - moved] = bytes[index] }
        count -= moved
        return moved
    }

    private mutating func append(_ byte: UInt8) {
        precondition(count < capacity, "a HIL line fits its capacity")
        bytes[count] = byte
        count += 1
    }
}
