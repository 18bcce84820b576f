import CrossingDevice
import CrossingEmulation
import CrossingSimulation
import Testing

/// What a driver test saw of one run: frames (or scans) through an emulated front end, its
/// driver and a counting core, with the front end's bus failing at some rate.
struct DriverRun {
    /// The core's totals, in the order the test reads them.
    var totals: [UInt64] = []
    var driver = DriverHealth()
    var injected = EmulatedRegisterBank.Injected()
    var presented = 0
    /// Frames the core refused.
    var rejected: UInt64 = 0
    /// Sequence numbers the core saw skipped.
    var gaps: UInt64 = 0

    /// Checks that the driver accounted for every injected fault and handed on every frame at
    /// most once.
    func expectFaultsAccounted(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(driver.busErrors == UInt64(injected.readNacks + injected.writeNacks), sourceLocation: sourceLocation)
        #expect(driver.corruptFrames == UInt64(injected.garbageReads), sourceLocation: sourceLocation)
        // A stuck flag or a lost acknowledgement shows as the same frame offered again, unless a
        // new frame replaced it first.
        #expect(driver.staleFrames > 0, sourceLocation: sourceLocation)
        #expect(driver.staleFrames <= UInt64(injected.stuckReady + injected.writeNacks), sourceLocation: sourceLocation)
        // Nothing handed on twice: the consumer refused no frame for its sequence number.
        #expect(rejected == 0, sourceLocation: sourceLocation)
        // Every frame presented is handed on or missing as a sequence gap.
        #expect(driver.frames + gaps == UInt64(presented), sourceLocation: sourceLocation)
    }

    /// Checks a run on a clean bus: every frame handed on once, none refused or skipped.
    func expectClean(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(driver.frames == UInt64(presented), sourceLocation: sourceLocation)
        #expect(driver.busErrors == 0 && driver.corruptFrames == 0 && driver.staleFrames == 0, sourceLocation: sourceLocation)
        #expect(rejected == 0 && gaps == 0, sourceLocation: sourceLocation)
    }
}
