import CheckpointCLI
import CrossingCore
import Foundation

/// `checkpoint-bench sha256`: the HMAC's hash, MB/s, over 8 KiB blocks as the exporter signs them.
enum HashBench {
    static let help = """
        usage: checkpoint-bench sha256 [--megabytes N] [--runs N] [--json]

        Hashes N MiB (default 64) in 8 KiB blocks, the size of a device batch, with the
        device's SHA-256.

          --megabytes N  MiB per timed run (default 64)
          --runs N       timed runs; the median is reported with the spread (default 5)
          --json         one JSON object: mb_per_s, mb_per_s_min, mb_per_s_max
        """

    static func main(_ argumentList: [String]) {
        let (arguments, (megabytes, runs)) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["megabytes", "runs"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            (try arguments.integer("megabytes", in: 1...4096) ?? 64, try arguments.integer("runs", in: 1...100) ?? 5)
        }
        installInterruptHandler()
        let block = (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var rates: [Double] = []
        var digest = InlineArray<32, UInt8>(repeating: 0)
        for _ in 0..<runs where !interruptRequested.load(ordering: .relaxed) {
            var sha = SHA256()
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<(megabytes * 128) { sha.update(block.span) }
            sha.finish(into: &digest)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            rates.append(Double(megabytes) * 1.048576 / (Double(elapsed) / 1e9))
        }
        exitIfInterrupted()
        let median = rates.sorted()[rates.count / 2]
        if arguments.flag("json") {
            print(JSONValue.object([
                ("mb_per_s", .number((median * 10).rounded() / 10)),
                ("mb_per_s_min", .number(((rates.min() ?? 0) * 10).rounded() / 10)),
                ("mb_per_s_max", .number(((rates.max() ?? 0) * 10).rounded() / 10)),
            ]).rendered())
            return
        }
        print(renderTable(
            headers: ["MB/s", "spread"],
            rows: [[String(format: "%.1f", median), String(format: "%.1f-%.1f", rates.min() ?? 0, rates.max() ?? 0)]]))
        print("\(rates.count) runs of \(megabytes) MiB; digest \(digest[0]) (kept so the work is not optimised away)")
    }
}
