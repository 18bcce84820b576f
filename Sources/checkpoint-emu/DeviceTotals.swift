import CheckpointCLI
import CrossingCore
import CrossingEmulation
import CrossingSimulation

/// The device's totals as `record` and `replay` print them: a table, or one JSON object.
enum DeviceTotals {
    static let classes = ScoreReport.classes
    static let directions = ScoreReport.directions

    static func table(_ board: EmulatedBoard<SplitMix64>, frames: Int) -> String {
        let rows = classes.flatMap { crossingClass in
            directions.map { ["\(crossingClass.name)", "\($0.name)", "\(board.total(crossingClass, $0))"] }
        }
        let health = board.device.driver.health
        return renderTable(headers: ["class", "direction", "count"], rows: rows)
            + "\n\n\(frames) frames, \(health.frames) counted by the device, \(board.device.health.commits) journal commits\n"
    }

    static func json(_ board: EmulatedBoard<SplitMix64>, frames: Int, extra: [(String, JSONValue)]) -> JSONValue {
        let totals = classes.flatMap { crossingClass in
            directions.map { direction -> JSONValue in
                .object([
                    ("class", .string("\(crossingClass.name)")), ("direction", .string("\(direction.name)")),
                    ("count", .integer(Int64(board.total(crossingClass, direction)))),
                ])
            }
        }
        let driver = board.device.driver.health
        let health: [(String, JSONValue)] = [
            ("frames_counted", .integer(Int64(driver.frames))),
            ("bus_errors", .integer(Int64(driver.busErrors))),
            ("corrupt_frames", .integer(Int64(driver.corruptFrames))),
            ("stale_frames", .integer(Int64(driver.staleFrames))),
            ("frames_rejected", .integer(Int64(board.device.health.framesRejected))),
            ("journal_commits", .integer(Int64(board.device.health.commits))),
        ]
        let members: [(String, JSONValue)] = [
            ("frames", .integer(Int64(frames))), ("totals", .array(totals)), ("health", .object(health)),
        ]
        return .object(extra + members)
    }
}
