/// Why a compressed body was refused: the byte of the compressed input where it went wrong, and
/// what was wrong. `tooLarge` when the body inflates past the limit, which is the body limit's
/// job to refuse (413), not a malformed body's (400).
public struct InflateError: Error, CustomStringConvertible, Sendable {
    public var offset: Int
    public var reason: String
    public var tooLarge = false

    public var description: String { "byte \(offset): \(reason)" }
}

/// DEFLATE (RFC 1951) decoding into a bounded output, after Mark Adler's puff: canonical
/// Huffman codes decoded a bit at a time from per-length counts, which needs no table larger
/// than the alphabet and is plenty for request bodies. The output limit is checked before every
/// byte is written, so a body built to inflate without end (a zip bomb) costs at most the limit.
struct Inflater {
    let input: [UInt8]
    /// The next input byte to load into `bits`.
    var position: Int
    var bits: UInt64 = 0
    var bitCount = 0
    let outputBytesMax: Int
    /// Where the current stream's output began: a distance may not reach before it.
    var streamStart = 0
    var output: [UInt8] = []

    init(_ input: [UInt8], from position: Int, outputBytesMax: Int) {
        self.input = input
        self.position = position
        self.outputBytesMax = outputBytesMax
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        /// Nil when the lengths over-subscribe the code space. An incomplete code is allowed,
        /// as zlib allows it: a code that is never sent does no harm, and one that is sent
        /// fails to decode.
        init?(lengths: ArraySlice<Int>) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            var left = 1
            for length in 1...15 {
                left = left << 1 - counts[length]
                if left < 0 { return nil }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in zip(0..., lengths) where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    static let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtras = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBases = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193,
        12289, 16385, 24577,
    ]
    static let distanceExtras = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order code-length code lengths are sent in (RFC 1951, 3.2.7).
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    static let fixedLiterals = Huffman(lengths: ArraySlice(
        [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112) + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)))!
    static let fixedDistances = Huffman(lengths: ArraySlice([Int](repeating: 5, count: 30)))!

    func failure(_ reason: String) -> InflateError { InflateError(offset: position, reason: reason) }

    /// The next `count` bits (at most 32), least significant first.
    mutating func take(_ count: Int) throws(InflateError) -> Int {
        while bitCount < count {
            guard position < input.count else { throw failure("compressed data ends inside a block") }
            bits |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
        let value = Int(bits & (1 << UInt64(count) - 1))
        bits >>= UInt64(count)
        bitCount -= count
        return value
    }

    /// Drops the bits left in the current byte, and any whole bytes loaded ahead, so that
    /// `position` is the next unread byte.
    mutating func alignToByte() {
        position -= bitCount / 8
        bits = 0
        bitCount = 0
    }

    mutating func decode(_ code: Huffman) throws(InflateError) -> Int {
        var value = 0
        var first = 0
        var index = 0
        for length in 1...15 {
            value |= try take(1)
            let count = code.counts[length]
            if value - first < count { return code.symbols[index + value - first] }
            index += count
            first = (first + count) << 1
            value <<= 1
        }
        throw failure("a Huffman code that the block's table does not define")
    }

    /// Decodes one whole DEFLATE stream from `position`, appending to `output`; afterwards
    /// `position` is the byte after the stream.
    mutating func inflateStream() throws(InflateError) {
        streamStart = output.count
        var last = false
        while !last {
            last = try take(1) == 1
            switch try take(2) {
            case 0: try storedBlock()
            case 1: try codes(Self.fixedLiterals, Self.fixedDistances)
            case 2:
                let (literals, distances) = try dynamicTables()
                try codes(literals, distances)
            default: throw failure("block type 3, which DEFLATE reserves")
            }
        }
        alignToByte()
    }

    mutating func storedBlock() throws(InflateError) {
        alignToByte()
        guard position + 4 <= input.count else { throw failure("stored block's length cut short") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard length == ~complement & 0xFFFF else { throw failure("stored block's length and its complement disagree") }
        position += 4
        guard position + length <= input.count else { throw failure("stored block of \(length) bytes cut short") }
        try reserve(length)
        output += input[position..<(position + length)]
        position += length
    }

    mutating func dynamicTables() throws(InflateError) -> (Huffman, Huffman) {
        let literalCount = try take(5) + 257
        let distanceCount = try take(5) + 1
        let codeLengthCount = try take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw failure("more length or distance codes than DEFLATE has") }
        var codeLengthLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengthLengths[Self.codeLengthOrder[index]] = try take(3) }
        guard let codeLengths = Huffman(lengths: codeLengthLengths[...]) else { throw failure("over-subscribed code-length code") }
        var lengths: [Int] = []
        lengths.reserveCapacity(literalCount + distanceCount)
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(codeLengths)
            var repeated = 0
            var count = 1
            switch symbol {
            case 0...15: repeated = symbol
            case 16:
                guard let previous = lengths.last else { throw failure("a repeat of the previous length with none before it") }
                repeated = previous
                count = 3 + (try take(2))
            case 17: count = 3 + (try take(3))
            default: count = 11 + (try take(7))
            }
            guard lengths.count + count <= literalCount + distanceCount else { throw failure("code lengths repeat past the table") }
            lengths += repeatElement(repeated, count: count)
        }
        guard lengths[256] != 0 else { throw failure("no code for the end of the block") }
        guard let literals = Huffman(lengths: lengths[..<literalCount]) else { throw failure("over-subscribed literal/length code") }
        guard let distances = Huffman(lengths: lengths[literalCount...]) else { throw failure("over-subscribed distance code") }
        return (literals, distances)
    }

    mutating func codes(_ literals: Huffman, _ distances: Huffman) throws(InflateError) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                try reserve(1)
                output.append(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw failure("length code \(symbol), which DEFLATE does not define") }
            let length = Self.lengthBases[lengthIndex] + (try take(Self.lengthExtras[lengthIndex]))
            let distanceIndex = try decode(distances)
            guard distanceIndex < 30 else { throw failure("distance code \(distanceIndex), which DEFLATE does not define") }
            let distance = Self.distanceBases[distanceIndex] + (try take(Self.distanceExtras[distanceIndex]))
            guard distance <= output.count - streamStart else { throw failure("a distance of \(distance) before the start of the data") }
            try reserve(length)
            // Byte by byte: a match may overlap the bytes it is copying (a run).
            var from = output.count - distance
            for _ in 0..<length {
                output.append(output[from])
                from += 1
            }
        }
    }

    func reserve(_ count: Int) throws(InflateError) {
        guard output.count + count <= outputBytesMax else {
            var error = failure("inflates past the limit of \(outputBytesMax) bytes")
            error.tooLarge = true
            throw error
        }
    }
}
