import CrossingCollector

/// libFuzzer target: the collector's HTTP request reader on any bytes, as a connection reads
/// them: request after request, until one is incomplete or refused. A request taken must lie
/// within the bytes and within the limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let reader = HTTPRequestReader(headerBytesMax: 1024, bodyBytesMax: 4096)
    var start = 0
    while start < bytes.count {
        do throws(HTTPError) {
            guard let (request, consumed) = try reader.next(bytes, from: start) else { break }
            precondition(consumed > 0 && start + consumed <= bytes.count, "a request outside the bytes")
            precondition(request.body.count <= reader.bodyBytesMax, "a body over the limit")
            start += consumed
        } catch {
            precondition(error.status >= 400 && error.status < 600, "a refusal without an error status")
            break
        }
    }
    return 0
}
