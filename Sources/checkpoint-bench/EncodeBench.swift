import AllocationCounter
import CheckpointCLI
import CrossingCore
import Foundation

/// `checkpoint-bench encode`: crossings lines per second through the line encoder.
enum EncodeBench {
    static let help = """
        usage: checkpoint-bench encode [--runs N] [--json]

        Encodes 1,000,000 crossings lines of the exported shape (five tags, two integer
        fields, a nanosecond timestamp) into a 64 KiB buffer, sent (emptied) whenever full, and
        counts heap allocations while it runs.

          --runs N   timed runs; the median is reported with the spread (default 5)
          --json     one JSON object: lines_per_s, ns_per_line, allocations, bytes_per_line,
                     lines_per_s_min, lines_per_s_max
        """

    static func main(_ argumentList: [String]) {
        let (arguments, runs) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["runs"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            try arguments.integer("runs", in: 1...100) ?? 5
        }
        #if DEBUG
        Terminal.error("\(program): warning: debug build; run with 'swift run -c release' for real figures")
        #endif
        installInterruptHandler()
        let names = ["verkhny-lars", "vl-pole-3", "walkway", "car", "outbound"].map { ShortText(text: $0) }
        let lines = 1_000_000
        var rates: [Double] = []
        var allocations = 0
        var bytes = 0
        for _ in 0..<runs where !interruptRequested.load(ordering: .relaxed) {
            var buffer = LineBuffer<65536>()
            bytes = 0
            let before = allocation_counter_thread_allocations()
            let start = DispatchTime.now().uptimeNanoseconds
            for index in 0..<lines {
                for _ in 0..<2 {
                    buffer.begin("crossings")
                    buffer.tag("site", names[0])
                    buffer.tag("device", names[1])
                    buffer.tag("lane", names[2])
                    buffer.tag("class", names[3])
                    buffer.tag("direction", names[4])
                    buffer.field("count", Int64(index % 97))
                    buffer.field("seq", Int64(index))
                    do throws(LineError) {
                        try buffer.end(timestampNs: 1_663_750_800_000_000_000 + Int64(index) * 60_000_000_000)
                        break
                    } catch {
                        bytes += buffer.committedCount
                        buffer.removeAll()
                    }
                }
            }
            bytes += buffer.committedCount
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            allocations += allocation_counter_thread_allocations() - before
            rates.append(Double(lines) / (Double(elapsed) / 1e9))
        }
        exitIfInterrupted()
        let median = rates.sorted()[rates.count / 2]
        if arguments.flag("json") {
            print(JSONValue.object([
                ("lines_per_s", .number(median.rounded())), ("ns_per_line", .number((1e10 / median).rounded() / 10)),
                ("allocations", .integer(Int64(allocations))), ("bytes_per_line", .number(Double(bytes) / Double(lines))),
                ("lines_per_s_min", .number((rates.min() ?? 0).rounded())), ("lines_per_s_max", .number((rates.max() ?? 0).rounded())),
            ]).rendered())
            return
        }
        print(renderTable(
            headers: ["lines/s", "spread", "ns/line", "allocations", "bytes/line"],
            rows: [[String(format: "%.2f M", median / 1e6),
                    String(format: "%.2f-%.2f M", (rates.min() ?? 0) / 1e6, (rates.max() ?? 0) / 1e6),
                    String(format: "%.1f", 1e9 / median), "\(allocations)", String(format: "%.1f", Double(bytes) / Double(lines))]]))
        print("\(rates.count) runs of \(lines) lines each")
    }
}

extension ShortText {
    init(text: String) {
        self = ShortText(Array(text.utf8).span)!
    }
}
