import CrossingCore
import CrossingDevice

/// The device's outbox: 32 closed bins (eight minutes of four lanes' one-minute bins) before
/// it merges the oldest into coarser ones, which keeps every count (`Outbox`). 2.8 KB of RAM.
public typealias DeviceOutbox = Outbox<32>

/// A depth lane: the sensor's driver and the counting core behind it.
struct DepthLane {
    // Pool slots start on the default configs, which are valid; boot resets the slots it uses.
    var driver = DepthSensorDriver(address: 0)
    var counter = try! DepthLaneCounter(config: LaneConfig())
}

/// A loop lane: the front end's driver and the loop-pair detector behind it.
struct LoopLane {
    var driver = LoopFrontEndDriver(address: 0)
    var detector = try! LoopPairDetector(config: LoopConfig())
}
