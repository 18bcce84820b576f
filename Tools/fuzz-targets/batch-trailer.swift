import CrossingCollector

/// libFuzzer target: the device protocol's batch trailer (`# batch v=1 ... hmac=HEX`) on any
/// line, and a trailer's check against the lines before it. A trailer read must hold what its
/// line says, and must not verify under the wrong key.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBatchTrailer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The last line is the trailer; the bytes before it, the batch's lines.
    let split = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
    let lines = Array(bytes[..<split])
    guard let trailer = BatchTrailer(line: Array(bytes[split...])) else { return 0 }
    precondition(trailer.first <= trailer.last && trailer.lines >= 0 && trailer.bytes >= 0, "a trailer out of order")
    let key = [UInt8](repeating: 0x5A, count: 32)
    let signed = BatchTrailer.mac(key: key, lines: lines, signedPart: trailer.signedPart)
    precondition(trailer.verifies(lines: lines, key: key) == (trailer.hmac == signed), "a check that disagrees with the MAC")
    return 0
}
