import CrossingDevice
import Foundation

extension ScenarioFeed {
    /// Delivers every lane's frames in time order until the scene ends or `shouldStop`,
    /// paced to `speed` times real time (nil: as fast as possible). While an export request is
    /// under way on a real network, simulated time stands still: at full speed a simulated
    /// second passes in microseconds, and the device would give up on answers a real one
    /// gets in time. `progress` is called every 256 deliveries with the simulated seconds,
    /// the deliveries so far and the crossings counted.
    public mutating func drive(
        _ board: inout EmulatedBoard, speed: Double?, shouldStop: () -> Bool,
        progress: (_ timeS: Double, _ delivered: Int, _ counted: UInt64) -> Void
    ) throws(FlashError) {
        let started = Date()
        while !shouldStop(), let nextUs = nextUs {
            if board.device.exportBusy, case .tcp = board.device.link {
                Thread.sleep(forTimeInterval: 0.000_2)
                try board.idle(atUs: board.device.clock.us)
                continue
            }
            let timeS = Double(nextUs) / 1_000_000
            if let speed {
                let aheadS = timeS / speed - Date().timeIntervalSince(started)
                if aheadS > 0 { Thread.sleep(forTimeInterval: min(aheadS, 0.2)) }
                if aheadS > 0.2 { continue }
            }
            _ = try deliverNext(to: &board)
            if delivered % 256 == 0 {
                let counted = (0..<board.device.config.laneCount).map { board.device.grandTotal(lane: $0) }.reduce(0, +)
                progress(timeS, delivered, counted)
            }
        }
    }
}

extension EmulatedBoard {
    /// After the scene: closes the open bins and turns the main loop in real time until the
    /// export target has acknowledged every record, or `timeoutS` passes. Returns whether the
    /// outbox emptied.
    public mutating func drainExport(timeoutS: Double, shouldStop: () -> Bool) throws(FlashError) -> Bool {
        try device.closeBins()
        let started = Date()
        var timeUs = device.clock.us
        while device.outbox.count > 0 && Date().timeIntervalSince(started) < timeoutS && !shouldStop() {
            Thread.sleep(forTimeInterval: 0.002)
            timeUs += 2_000
            try idle(atUs: timeUs)
        }
        return device.outbox.count == 0
    }
}
