import CrossingCollector

/// libFuzzer target: the gzip and deflate decoders of `/write` on any bytes. What decodes must
/// stay within the output limit; what does not must be refused with an error inside the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContentEncoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = 1 << 20
    for encoding in [ContentEncoding.gzip, .deflate] {
        do throws(InflateError) {
            let decoded = try encoding.decode(bytes, outputBytesMax: limit)
            precondition(decoded.count <= limit, "output over the limit")
        } catch {
            precondition(error.offset >= 0 && error.offset <= bytes.count, "an error outside the input")
        }
    }
    return 0
}
