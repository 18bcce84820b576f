import Foundation
import CrossingCore

/// The line that ends a device-protocol batch (docs/device-protocol.md):
/// `# batch v=1 device=ID inc=N first=N last=N lines=N bytes=N hmac=HEX`. A trailer without
/// `inc` is a device's from before incarnations: incarnation 0.
public struct BatchTrailer: Equatable, Sendable {
    public var device: String
    /// The device's incarnation; nil for `inc=new`, a device asking for one.
    public var incarnation: Int64?
    public var first: Int64
    public var last: Int64
    public var lines: Int
    public var bytes: Int
    /// The HMAC as sent, lowercase hex.
    public var hmac: String
    /// The trailer up to, not including, ` hmac=`: signed after the lines.
    public var signedPart: [UInt8]

    /// Reads a trailer line (without its `\n`); nil when it is not one.
    public init?(line: [UInt8]) {
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("# batch "), let macStart = text.range(of: " hmac=") else { return nil }
        var fields: [Substring: Substring] = [:]
        for part in text.split(separator: " ").dropFirst(2) {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, fields[pair[0]] == nil else { return nil }
            fields[pair[0]] = pair[1]
        }
        guard fields["v"] == "1", let device = fields["device"], let first = fields["first"].flatMap({ Int64($0) }),
            let last = fields["last"].flatMap({ Int64($0) }), let lines = fields["lines"].flatMap({ Int($0) }),
            let bytes = fields["bytes"].flatMap({ Int($0) }), let hmac = fields["hmac"],
            fields.count == (fields["inc"] == nil ? 7 : 8), first >= 0, first <= last, lines >= 0, bytes >= 0
        else { return nil }
        switch fields["inc"] {
        case nil: incarnation = 0
        case "new"?:
            // Only a batch of no records asks: records never go out before their incarnation.
            guard last == 0 else { return nil }
            incarnation = nil
        case let text?:
            guard let number = Int64(text), number >= 0 else { return nil }
            incarnation = number
        }
        self.device = String(device)
        self.first = first
        self.last = last
        self.lines = lines
        self.bytes = bytes
        self.hmac = String(hmac)
        self.signedPart = Array(text[..<macStart.lowerBound].utf8)
    }

    /// The HMAC-SHA256 under `key` of the batch's lines then the trailer's signed part, in hex.
    public static func mac(key: [UInt8], lines: [UInt8], signedPart: [UInt8]) -> String {
        var mac = HMACSHA256(key: key.span)
        mac.update(lines.span)
        mac.update(signedPart.span)
        var digest = InlineArray<32, UInt8>(repeating: 0)
        mac.finish(into: &digest)
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        for index in 0..<32 {
            hex.append(hexDigits[Int(digest[index] >> 4)])
            hex.append(hexDigits[Int(digest[index] & 0xF)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Whether `lines` are the batch this trailer signs under `key`, compared in constant time.
    public func verifies(lines: [UInt8], key: [UInt8]) -> Bool {
        constantTimeEqual(Array(Self.mac(key: key, lines: lines, signedPart: signedPart).utf8), Array(hmac.utf8))
    }
}
