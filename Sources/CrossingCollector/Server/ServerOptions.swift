/// Where the collector listens and the limits it holds every client to.
public struct ServerOptions: Sendable {
    /// `HOST:PORT` for the device protocol, or nil for none. Port 0 takes any free port.
    public var tcp: String? = "127.0.0.1:8094"
    /// `HOST:PORT` for HTTP, or nil for none.
    public var http: String? = "127.0.0.1:8186"
    /// Connections open at once, over both listeners; more are refused at accept.
    public var connectionsMax = 4096
    /// A line of the device protocol.
    public var lineBytesMax = 64 << 10
    /// The lines of one device-protocol batch (a device sends at most 8 KiB).
    public var batchBytesMax = 1 << 20
    /// An HTTP request's header section.
    public var headerBytesMax = 16 << 10
    /// An HTTP request's body (InfluxDB's default is 25 MB).
    public var bodyBytesMax = 32 << 20
    /// The bytes all connections have sent and the server has not yet handled, together.
    /// Past it only connections holding less than `connectionFloorBytes` are read, so devices
    /// sending small batches keep flowing while large senders wait their turn (or time out).
    public var bufferedBytesMax = 256 << 20
    /// What any connection may always have buffered, whatever the others hold.
    public var connectionFloorBytes = 128 << 10
    /// A connection with no bytes either way for this long is closed.
    public var idleTimeoutMs: Int64 = 120_000
    /// A request or batch must arrive whole within this long of its first byte.
    public var requestTimeoutMs: Int64 = 30_000

    /// When set, the pages (`/`, `/site/NAME`, `/export/DAY.zip`) and `/report` need this
    /// token, as HTTP Basic's password or a Bearer token; unset, they are public.
    public var uiToken: String?

    public init() {}
}
