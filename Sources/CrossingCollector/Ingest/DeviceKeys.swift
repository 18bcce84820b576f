#if canImport(Glibc)
import Glibc
#endif

/// The devices allowed to write, and their 32-byte keys: a file of one device per line,
/// `DEVICE-ID HEX-KEY` (64 hex digits), `#` comments and blank lines allowed. The file must
/// be readable by its owner only, as ssh insists of a private key.
public struct DeviceKeys: Sendable {
    public private(set) var keys: [String: [UInt8]] = [:]

    public init(keys: [String: [UInt8]]) { self.keys = keys }

    public func key(for device: String) -> [UInt8]? { keys[device] }

    /// Loads a keys file, refusing one that group or others may read or write.
    public static func load(path: String) throws(CollectorError) -> DeviceKeys {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .system(path) }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw CollectorError("\(path): mode \(String(mode, radix: 8)) lets other users read it; run chmod 600 \(path)")
        }
        guard let bytes = try FileIO.read(path: path) else { throw CollectorError("\(path): cannot read") }
        return try parse(String(decoding: bytes, as: UTF8.self), path: path)
    }

    static func parse(_ text: String, path: String) throws(CollectorError) -> DeviceKeys {
        var keys: [String: [UInt8]] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2 else { throw CollectorError("\(path):\(index + 1): expected 'DEVICE-ID HEX-KEY'") }
            let device = String(parts[0])
            guard let key = hexBytes(parts[1]), key.count == 32 else {
                throw CollectorError("\(path):\(index + 1): key of '\(device)' must be 64 hexadecimal digits (32 bytes)")
            }
            guard keys[device] == nil else { throw CollectorError("\(path):\(index + 1): device '\(device)' listed twice") }
            keys[device] = key
        }
        return DeviceKeys(keys: keys)
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for pair in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexDigit(digits[pair]), let low = hexDigit(digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
            .reversed().reduce(into: Substring()) { $0.append($1) }
    }
}
