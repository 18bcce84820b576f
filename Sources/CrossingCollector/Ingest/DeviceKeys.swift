#if canImport(Glibc)
import Glibc
#endif

import CrossingCore

/// The devices allowed to write, and their 32-byte keys: a file of one device per line,
/// `DEVICE-ID HEX-KEY [PREVIOUS-HEX-KEY]` (64 hex digits each), `#` comments and blank lines
/// allowed. The file must be readable by its owner only, as ssh insists of a private key.
///
/// A key signs a device's TCP batches. HTTP writes carry the device's write token instead,
/// HMAC-SHA256(key, "http-write"): whoever sees an HTTP request learns the token, and a token
/// cannot sign a batch, nor give back the key. A second key on a device's line is the one it
/// is moving from: during a rotation both keys, and both tokens, are accepted, so no device is
/// refused while units are given the new key one by one (docs/collector-api.md, "The keys
/// file").
public struct DeviceKeys: Sendable {
    /// Per device, its keys: the current one first, then the previous one while it is rotated.
    public private(set) var keys: [String: [[UInt8]]] = [:]

    /// One key per device.
    public init(keys: [String: [UInt8]]) { self.keys = keys.mapValues { [$0] } }

    /// Per device, the current key and then any still accepted.
    public init(keyring: [String: [[UInt8]]]) { self.keys = keyring }

    /// The keys a device's batches may be signed with, the current one first; none for a
    /// device not listed.
    public func keys(for device: String) -> [[UInt8]] { keys[device] ?? [] }

    /// The token an HTTP write from the device holding `key` carries (in hex, as
    /// `Authorization: Token DEVICE:TOKEN`).
    public static func writeToken(key: [UInt8]) -> [UInt8] {
        var mac = HMACSHA256(key: key.span)
        mac.update(Array("http-write".utf8).span)
        var digest = InlineArray<32, UInt8>(repeating: 0)
        mac.finish(into: &digest)
        return (0..<32).map { digest[$0] }
    }

    /// Whether `token` is the write token of one of the device's keys, compared in constant
    /// time.
    public func accepts(token: [UInt8], for device: String) -> Bool {
        var accepted = false
        for key in keys(for: device) where constantTimeEqual(token, Self.writeToken(key: key)) { accepted = true }
        return accepted
    }

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
        var keyring: [String: [[UInt8]]] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2 || parts.count == 3 else {
                throw CollectorError("\(path):\(index + 1): expected 'DEVICE-ID HEX-KEY [PREVIOUS-HEX-KEY]'")
            }
            let device = String(parts[0])
            var keys: [[UInt8]] = []
            for part in parts.dropFirst() {
                guard let key = hexBytes(part), key.count == 32 else {
                    throw CollectorError("\(path):\(index + 1): key of '\(device)' must be 64 hexadecimal digits (32 bytes)")
                }
                keys.append(key)
            }
            if keys.count == 2 && keys[0] == keys[1] {
                throw CollectorError("\(path):\(index + 1): the previous key of '\(device)' is its current key")
            }
            guard keyring[device] == nil else { throw CollectorError("\(path):\(index + 1): device '\(device)' listed twice") }
            keyring[device] = keys
        }
        return DeviceKeys(keyring: keyring)
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
