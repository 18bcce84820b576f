/// Why a link operation failed. After any of these the link is closed; `connect` again.
public enum LinkError: Error, Equatable {
    /// The target refused or could not be reached.
    case refused
    /// An established connection broke.
    case reset
    /// The link has no connection to use.
    case notConnected
}

/// Where a connection attempt stands.
public enum LinkState: Equatable, Sendable {
    case closed
    case connecting
    case connected
}

/// A non-blocking network link to one configured target, such as a TCP connection. No call
/// waits: a main loop that must kick its watchdog polls it instead. Used only through generics.
public protocol Link {
    /// Starts a connection, or reports how the one under way stands.
    mutating func connect() throws(LinkError) -> LinkState
    /// Sends from the front of `bytes` and returns how many were taken (0 when the link is busy).
    mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int
    /// Receives into the front of `bytes` and returns how many arrived (0 when none waited).
    mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int
    /// Closes the connection, dropping whatever was not sent.
    mutating func close()
}

/// A link on a rig whose far end lives on the board's clock: an emulated collector or a HIL
/// rig stamps its acks with simulated wall time, not the host's. Used only through generics.
public protocol ClockedLink: Link {
    /// The board's clock now; the rig calls this before each turn of the main loop.
    mutating func setBoardTime(us: UInt64)
}
