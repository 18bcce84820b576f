import CrossingDevice
import CrossingEmulation
import CrossingSimulation
import Testing

/// Checks that a driver on a faulty bus accounted for every injected fault and handed on
/// every frame at most once.
func expectFaultsAccounted(
    driver: DriverHealth, injected: EmulatedRegisterBank.Injected, presented: Int, gaps: UInt64,
    rejected: UInt64, sourceLocation: SourceLocation = #_sourceLocation
) {
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
