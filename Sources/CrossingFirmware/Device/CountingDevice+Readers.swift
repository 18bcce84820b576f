import CrossingCore
import CrossingDevice

// The device reads its own state in place, through these `mutating` readers: Swift copies a
// large struct to the stack to read it through a non-mutating method, and the device is about
// 26 KB on a 6 KiB stack (docs/embedded.md, "Stack").
extension CountingDevice {
    /// Lifetime count of one class in one direction on `lane`, read in place.
    public mutating func readTotal(lane: Int, _ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        isDepth(lane)
            ? depthLanes[pool[lane]].counter.total(crossingClass, direction)
            : loopLanes[pool[lane]].detector.total(crossingClass, direction)
    }

    /// Lifetime count of every class and direction on `lane`, read in place.
    public mutating func readGrandTotal(lane: Int) -> UInt64 {
        isDepth(lane) ? depthLanes[pool[lane]].counter.grandTotal : loopLanes[pool[lane]].detector.grandTotal
    }

    /// The counts of `lane` in its totals but in no bin the outbox took yet, as one bin, read in
    /// place.
    public mutating func readUnexported(lane: Int) -> IntervalBin {
        isDepth(lane) ? depthLanes[pool[lane]].counter.unexportedBin : loopLanes[pool[lane]].detector.unexportedBin
    }

    /// What the driver of `lane`'s sensor saw go wrong, read in place.
    public mutating func readDriverHealth(lane: Int) -> DriverHealth {
        isDepth(lane) ? depthLanes[pool[lane]].driver.health : loopLanes[pool[lane]].driver.health
    }

    /// The faults of a loop lane's two loops, read in place; none for a depth lane.
    public mutating func readLoopFaults(lane: Int) -> (a: LoopFault, b: LoopFault) {
        isDepth(lane) ? ([], []) : loopLanes[pool[lane]].detector.faults
    }

    /// What the export has done, when there is one, read in place.
    public mutating func readExportHealth() -> ExportHealth? { exporting ? exporter.health : nil }

    /// The sequence number of the last frame counted on `lane`, 0 before the first.
    public func lastCounted(lane: Int) -> UInt32 { lastCounted[lane] }
}

#if !hasFeature(Embedded)
// Readers for hosts and tests, which hold devices in `let`s and pass them by value: each copies
// the device to read it, which a host's stack takes in its stride. They do not exist in an
// Embedded build, so firmware code that calls one does not compile there.
extension CountingDevice {
    /// Lifetime count of one class in one direction on `lane`. Host only: copies the device.
    public func total(lane: Int, _ crossingClass: CrossingClass, _ direction: Direction) -> UInt64 {
        var copy = self
        return copy.readTotal(lane: lane, crossingClass, direction)
    }

    /// Lifetime count of every class and direction on `lane`. Host only: copies the device.
    public func grandTotal(lane: Int) -> UInt64 {
        var copy = self
        return copy.readGrandTotal(lane: lane)
    }

    /// What the driver of `lane`'s sensor saw go wrong. Host only: copies the device.
    public func driverHealth(lane: Int) -> DriverHealth {
        var copy = self
        return copy.readDriverHealth(lane: lane)
    }

    /// The counts of `lane` in its totals but in no bin the outbox took yet, as one bin. Host
    /// only: copies the device.
    public func unexported(lane: Int) -> IntervalBin {
        var copy = self
        return copy.readUnexported(lane: lane)
    }

    /// The faults of a loop lane's two loops; none for a depth lane. Host only: copies the device.
    public func loopFaults(lane: Int) -> (a: LoopFault, b: LoopFault) {
        var copy = self
        return copy.readLoopFaults(lane: lane)
    }

    /// What the export has done, when there is one. Host only: copies the device.
    public var exportHealth: ExportHealth? {
        var copy = self
        return copy.readExportHealth()
    }
}
#endif
