import CrossingCore
@testable import CrossingFirmware
import Testing

/// The pieces the exporter is built from, each alone: where it sends, and how long it waits.
@Suite("Export target and backoff")
struct ExportPartsTests {
    @Test(
        "A target parses to its framing, host and path; /write when no path is given",
        arguments: [
            ("http://127.0.0.1:8086/write?db=cp", ExportTarget.Framing.http, "127.0.0.1:8086", "/write?db=cp"),
            ("http://influx:8086", .http, "influx:8086", "/write"),
            ("tcp://collector:7070", .batch, "collector:7070", "/write"),
        ])
    func parses(text: String, framing: ExportTarget.Framing, host: String, path: String) throws {
        let short = try #require(ShortText(text: text))
        let target = try #require(ExportTarget(short))
        #expect(target.framing == framing)
        #expect(target.host.string == host)
        #expect(target.path.string == path)
    }

    @Test("No target from an empty text, another scheme, or no host", arguments: ["", "udp://x:1", "http://", "tcp:///write", "https://x"])
    func refuses(text: String) throws {
        let short = try #require(ShortText(text: text))
        #expect(ExportTarget(short) == nil)
    }

    @Test("Waits double from 1 s to at most 5 minutes, each within 3/4 to 5/4 of its step, and start over after a success")
    func backoff() {
        var backoff = ExportBackoff()
        backoff.reset(seed: 0xC0FFEE)
        var stepMs = ExportBackoff.minMs
        for _ in 0..<20 {
            let waitMs = backoff.nextWaitMs()
            #expect(waitMs >= stepMs / 4 * 3 && waitMs <= stepMs / 4 * 3 + stepMs / 2, "\(waitMs) for a step of \(stepMs)")
            stepMs = min(ExportBackoff.maxMs, stepMs * 2)
        }
        backoff.succeeded()
        #expect(backoff.nextWaitMs() <= ExportBackoff.minMs / 4 * 5)
    }

    @Test("Devices with different seeds spread their retries; the same seed repeats its waits")
    func jitter() {
        func waits(seed: UInt32) -> [UInt32] {
            var backoff = ExportBackoff()
            backoff.reset(seed: seed)
            return (0..<8).map { _ in backoff.nextWaitMs() }
        }
        #expect(waits(seed: 1) == waits(seed: 1))
        #expect(waits(seed: 1) != waits(seed: 2))
    }
}
