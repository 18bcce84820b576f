/// What the device knows of wall time: an offset from its monotonic clock, learned from the
/// export target's answers (the HTTP `Date` header, or the collector's ack).
///
/// The first reading sets the offset. After that a reading within `stepMinNs` of the offset
/// moves it by at most `slewMaxNs`, so one late answer cannot jerk the clock; a larger error
/// (a wrong clock, a target that was wrong) is corrected in one step. Bins are kept on the
/// monotonic clock, so neither moves a count into another bin.
public struct WallTime: Sendable {
    public static var stepMinNs: Int64 { 2_000_000_000 }
    public static var slewMaxNs: Int64 { 50_000_000 }

    /// Wall time minus monotonic time, ns; nil until the first reading.
    public private(set) var offsetNs: Int64?
    /// Corrections made in one step.
    public private(set) var steps: UInt32 = 0

    public init() {}

    /// Takes a reading: the wall time was `wallNs` at monotonic `nowUs`.
    public mutating func learn(wallNs: Int64, nowUs: UInt64) {
        let reading = wallNs &- Int64(truncatingIfNeeded: nowUs &* 1000)
        guard let offset = offsetNs else {
            offsetNs = reading
            return
        }
        let error = reading &- offset
        if error > Self.stepMinNs || error < -Self.stepMinNs {
            offsetNs = reading
            steps &+= 1
        } else {
            offsetNs = offset &+ max(-Self.slewMaxNs, min(Self.slewMaxNs, error))
        }
    }

    /// Wall time at monotonic `nowUs`, ns since 1970; nil until known.
    public func wallNs(atUs nowUs: UInt64) -> Int64? {
        offsetNs.map { $0 &+ Int64(truncatingIfNeeded: nowUs &* 1000) }
    }
}

/// Parses an HTTP date, `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 IMF-fixdate), into seconds
/// since 1970; nil for anything else.
func parseHTTPDate(_ bytes: Span<UInt8>) -> Int64? {
    guard bytes.count >= 29 else { return nil }
    func number(_ from: Int, _ digits: Int) -> Int64? {
        var value: Int64 = 0
        for index in from..<(from + digits) {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }
    let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
    var month: Int64 = 0
    months.withUTF8Buffer { names in
        for candidate in 0..<12
        where names[3 * candidate] == bytes[8] && names[3 * candidate + 1] == bytes[9] && names[3 * candidate + 2] == bytes[10] {
            month = Int64(candidate) + 1
        }
    }
    guard month > 0, let day = number(5, 2), let year = number(12, 4), let hour = number(17, 2), let minute = number(20, 2),
        let second = number(23, 2)
    else { return nil }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = month <= 2 ? year - 1 : year
    let era = y / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return days * 86_400 + hour * 3600 + minute * 60 + second
}
