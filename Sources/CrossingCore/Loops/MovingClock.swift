/// A clock that runs only while the vehicle on one loop moves. Lengths come from moving time,
/// so a stop of half an hour between a vehicle's edges changes nothing, where lengths from
/// elapsed time err by hundreds of percent in stop-and-go.
struct MovingClock {
    private var baseUs: UInt64 = 0
    private var stretchStartUs: UInt64 = 0
    private var inStretch = false
    /// Latest signal change on the loop.
    private var lastChangeUs: UInt64 = 0

    /// Notes the latest change seen at `timeUs`; the clock is moving until `stillMs` passes
    /// with none. A stretch ends at its last change, not when stillness is noticed.
    mutating func update(lastChangeUs change: UInt64, timeUs: UInt64, stillMs: UInt16) {
        if change > lastChangeUs {
            if !inStretch {
                inStretch = true
                stretchStartUs = change
            }
            lastChangeUs = change
        }
        if inStretch && timeUs.subtractingClamped(lastChangeUs) >= UInt64(stillMs) * 1000 {
            baseUs += lastChangeUs - stretchStartUs
            inStretch = false
        }
    }

    /// Moving time at `timeUs`. Within a stretch it runs on through short plateaus (a car's
    /// flat floor passing over a loop changes nothing); the still tail of a stretch is taken
    /// back when the stretch ends, and edges do not fall in it, since a still signal has none.
    func movingUs(at timeUs: UInt64) -> UInt64 {
        guard inStretch && timeUs > stretchStartUs else { return baseUs }
        return baseUs + (timeUs - stretchStartUs)
    }
}
