import CrossingCollector

/// libFuzzer target: the collector's line-protocol parser on any body, at every precision.
/// Every line must come back parsed, or refused with an error naming its line and a column
/// within it; the in-place check agrees with the parse line for line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLineProtocol(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let precision = Precision.allCases[size % Precision.allCases.count]
    let lines = LineParser.parse(body, precision: precision)
    let checked = LineParser.check(body, precision: precision)
    precondition(checked.lines == lines.count, "check and parse disagree on the lines")
    precondition(checked.errors == lines.compactMap { if case .failure(let error) = $0.result { error } else { nil } }, "check and parse disagree on the errors")
    for line in lines {
        precondition(line.bytes.lowerBound >= 0 && line.bytes.upperBound <= body.count, "a line outside the body")
        if case .failure(let error) = line.result {
            precondition(error.line == line.number, "an error naming another line")
            precondition(error.column >= 1 && error.column <= line.bytes.count + 1, "an error outside its line")
            precondition(!error.reason.isEmpty, "an error that says nothing")
        }
    }
    return 0
}
