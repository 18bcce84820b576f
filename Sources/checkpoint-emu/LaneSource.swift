import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingSimulation

/// One lane of a scenario feeding one lane of the device: the frames or loop scans its sensor
/// delivers, one ahead, so that lanes can be merged in time order.
struct LaneSource {
    let lane: Int
    private var depth: LaneFrames?
    private var loops: LoopSamples?
    private var zones: [ZoneReading] = []
    private var nextFrame: FrameHeader?
    private var nextScan: LoopScan?
    /// When the next frame or scan is due; nil when the lane has no more.
    private(set) var nextUs: UInt64?
    private(set) var delivered = 0

    init(lane: Int, depth: LaneFrames) {
        self.lane = lane
        self.depth = depth
        zones = [ZoneReading](repeating: ZoneReading(distanceMm: 0), count: depth.sensor.grid * depth.sensor.grid)
        advance()
    }

    init(lane: Int, loops: LoopSamples) {
        self.lane = lane
        self.loops = loops
        advance()
    }

    /// Simulated seconds this lane has reached.
    var timeS: Double { depth?.timeS ?? loops?.timeS ?? 0 }

    /// Delivers the next frame or scan to the board.
    mutating func deliver(to board: inout EmulatedBoard) throws(FlashError) {
        if let frame = nextFrame {
            try board.deliver(lane: lane, header: frame, zones: zones.span)
        } else if let scan = nextScan {
            try board.deliver(lane: lane, scan: scan)
        }
        delivered += 1
        advance()
    }

    private mutating func advance() {
        if depth != nil {
            nextFrame = depth!.next(into: &zones)
            nextUs = nextFrame?.timestampUs
        } else if loops != nil {
            nextScan = loops!.next()
            nextUs = nextScan?.header.timestampUs
        }
    }
}
