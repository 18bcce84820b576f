import CrossingCollector
import CrossingCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The lines the collector benchmarks send: a device's crossings lines, as the firmware
/// exports them (five tags, `count` and `seq`, a timestamp in ns).
enum BenchLines {
    static let classes = ["pedestrian", "bicycle", "car", "bus"]

    /// `count` lines of `device`, records `firstSeq` on, one minute apart.
    static func crossings(device: String, firstSeq: Int64, count: Int) -> [UInt8] {
        var text = ""
        text.reserveCapacity(count * 140)
        for index in 0..<count {
            let seq = firstSeq + Int64(index)
            text += "crossings,site=verkhny-lars,device=\(device),lane=walkway,class=\(classes[Int(seq % 4)]),"
            text += "direction=outbound count=\(seq % 7 + 1)i,seq=\(seq)i \((1_663_750_800 + seq * 60) * 1_000_000_000)\n"
        }
        return Array(text.utf8)
    }

    /// The sum of the `count`s of records `firstSeq..<firstSeq + count`.
    static func total(firstSeq: Int64, count: Int) -> Int64 {
        (firstSeq..<(firstSeq + Int64(count))).reduce(0) { $0 + $1 % 7 + 1 }
    }

    /// A device-protocol batch: the lines and the signed trailer.
    static func signedBatch(device: String, key: [UInt8], firstSeq: Int64, count: Int) -> [UInt8] {
        let lines = crossings(device: device, firstSeq: firstSeq, count: count)
        let signed = "# batch v=1 device=\(device) first=\(firstSeq) last=\(firstSeq + Int64(count) - 1) lines=\(count) bytes=\(lines.count)"
        return lines + Array("\(signed) hmac=\(BatchTrailer.mac(key: key, lines: lines, signedPart: Array(signed.utf8)))\n".utf8)
    }

    /// A key per device, fixed, so every run is the same.
    static func key(_ device: String) -> [UInt8] {
        var sha = SHA256()
        sha.update(Array(device.utf8).span)
        var digest = InlineArray<32, UInt8>(repeating: 0)
        sha.finish(into: &digest)
        return (0..<32).map { digest[$0] }
    }
}

/// This process's peak resident set (VmHWM), KiB.
func peakResidentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
}

/// A fresh directory under /tmp, removed by the caller.
func benchDirectory(_ name: String) -> String {
    var template = Array("/tmp/checkpoint-bench-\(name).XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}
