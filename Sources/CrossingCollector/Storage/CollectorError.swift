#if canImport(Glibc)
import Glibc
#endif

/// A failure of the collector's storage or servers, naming the file or address and the reason.
public struct CollectorError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// The failed call and the C library's reason for the last error.
    static func system(_ what: String) -> CollectorError {
        CollectorError("\(what): \(String(cString: strerror(errno)))")
    }
}
