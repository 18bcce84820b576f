import CrossingCollector
import CrossingCore
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed by the caller.
func temporaryDirectory(_ name: String) -> String {
    var template = Array("/tmp/checkpoint-\(name).XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    return path
}

/// A key per device, made from its name so that every run uses the same.
func deviceKey(_ device: String) -> [UInt8] {
    var sha = SHA256()
    sha.update(Array(device.utf8).span)
    var digest = InlineArray<32, UInt8>(repeating: 0)
    sha.finish(into: &digest)
    return (0..<32).map { digest[$0] }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// The `Authorization` header of an HTTP write from the device holding `key`.
func writeAuthorization(_ device: String, key: [UInt8]) -> (String, String) {
    ("Authorization", "Token \(device):\(hex(DeviceKeys.writeToken(key: key)))")
}

/// Writes a keys file (mode 600) for `devices` and returns its path.
func writeKeys(_ devices: [String], in directory: String) -> String {
    let path = directory + "/keys"
    let text = devices.map { "\($0) \(hex(deviceKey($0)))" }.joined(separator: "\n") + "\n"
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    return path
}

/// One device's record: the `crossings` lines a device sends for a closed bin.
struct TestRecord {
    var device: String
    var seq: Int64
    var count: Int64
    var crossingClass: String
    var minuteS: Int64

    var line: String {
        "crossings,site=test-site,device=\(device),lane=road,class=\(crossingClass),direction=outbound count=\(count)i,seq=\(seq)i \(minuteS * 1_000_000_000)\n"
    }
}

/// A device-protocol batch: the lines, then the signed trailer.
func signedBatch(device: String, key: [UInt8], records: [TestRecord], extraLines: String = "") -> [UInt8] {
    let lines = Array((records.map(\.line).joined() + extraLines).utf8)
    let first = records.first?.seq ?? 0
    let last = records.last?.seq ?? 0
    let lineCount = lines.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    let signed = "# batch v=1 device=\(device) first=\(first) last=\(last) lines=\(lineCount) bytes=\(lines.count)"
    let mac = BatchTrailer.mac(key: key, lines: lines, signedPart: Array(signed.utf8))
    return lines + Array("\(signed) hmac=\(mac)\n".utf8)
}

/// The tests' device-protocol client.
typealias LineSocket = LineClient

/// A collector serving in this process on free ports, on a thread of its own.
final class InProcessCollector: @unchecked Sendable {
    final class Shared: Sendable {
        let log = Mutex<[String]>([])
        let done = Atomic<Bool>(false)
    }

    let directory: String
    let server: CollectorServer
    let shared = Shared()
    private let thread: Thread

    init(
        directory: String, keys: DeviceKeys?, options: ServerOptions = ServerOptions(), sites: SiteConfig = SiteConfig(), relay: Relay? = nil
    ) throws {
        self.directory = directory
        var options = options
        options.tcp = "127.0.0.1:0"
        options.http = "127.0.0.1:0"
        let store = try CollectorStore(directory: directory + "/data", warn: { _ in })
        let shared = shared
        server = try CollectorServer(store: store, options: options, keys: keys, sites: sites, relay: relay) { line in
            shared.log.withLock { $0.append(line) }
        }
        let server = server
        thread = Thread {
            server.run()
            shared.done.store(true, ordering: .relaxed)
        }
        thread.start()
    }

    var tcpPort: Int { server.tcpPort! }
    var httpURL: String { "http://127.0.0.1:\(server.httpPort!)" }
    var log: [String] { shared.log.withLock { $0 } }

    func stop() {
        server.stop()
        while !shared.done.load(ordering: .relaxed) { usleep(1000) }
    }
}

/// The built `checkpoint-collector`, beside the test bundle.
func collectorExecutable() throws -> String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("checkpoint-collector").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    throw CollectorError("checkpoint-collector is not built beside the tests (\(CommandLine.arguments[0])): run swift build first")
}

/// A port nothing listens on now.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
