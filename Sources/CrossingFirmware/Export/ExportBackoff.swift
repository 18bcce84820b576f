/// How long the exporter waits after a failure before it sends again: doubling from 1 s to at
/// most 5 minutes, each wait drawn from 3/4 to 5/4 of the step by a xorshift seeded per device,
/// so that devices cut off together do not all come back in the same second.
struct ExportBackoff {
    static var minMs: UInt32 { 1000 }
    static var maxMs: UInt32 { 300_000 }

    private var stepMs: UInt32 = 0
    private var jitter: UInt32 = 1

    /// Starts afresh with the device's jitter seed.
    mutating func reset(seed: UInt32) {
        stepMs = 0
        jitter = seed | 1
    }

    /// A request went through: the next failure waits the shortest step again.
    mutating func succeeded() { stepMs = 0 }

    /// A request failed: the next step, and the wait drawn from it.
    mutating func nextWaitMs() -> UInt32 {
        stepMs = stepMs == 0 ? Self.minMs : min(Self.maxMs, stepMs &* 2)
        jitter ^= jitter << 13
        jitter ^= jitter >> 17
        jitter ^= jitter << 5
        return stepMs / 4 * 3 + jitter % (stepMs / 2 + 1)
    }
}
