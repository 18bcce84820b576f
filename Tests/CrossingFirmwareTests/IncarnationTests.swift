import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Testing

/// The device's side of incarnations (docs/device-protocol.md, "Incarnations"), against the
/// in-memory targets of `ExportTests`.
@Suite("Incarnations on the device")
struct DeviceIncarnationTests {
    typealias Target = ExportTests.Target

    /// Runs the scene for `durationS` from the board's clock, the target's clock at `offsetS`
    /// plus the scene's, then drains the outbox.
    static func run(_ board: inout EmulatedBoard, _ target: Target, config: DeviceConfig, scenario: Scenario, seed: UInt64, offsetS: UInt64) throws {
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: seed, durationS: 600)
        while let nextUs = feed.nextUs {
            ExportTests.set(&board, target, nowUs: offsetS * 1_000_000 + nextUs, down: false)
            _ = try feed.deliverNext(to: &board)
        }
        try drain(&board, target, offsetS: offsetS)
    }

    /// Closes the open bins and turns the loop until the outbox is empty.
    static func drain(_ board: inout EmulatedBoard, _ target: Target, offsetS: UInt64) throws {
        try board.device.closeBins()
        var timeUs = board.device.clock.us
        for _ in 0..<600 where board.device.outbox.count > 0 {
            timeUs += 1_000_000
            ExportTests.set(&board, target, nowUs: offsetS * 1_000_000 + timeUs, down: false)
            try board.idle(atUs: timeUs)
        }
        #expect(board.device.outbox.count == 0)
    }

    static func number(_ incarnation: Incarnation) -> String? {
        if case .known(let number) = incarnation { return "\(number)" }
        return nil
    }

    @Test("Records go out under the incarnation the first answer gave; a reboot keeps it; a wiped unit gets another and overwrites nothing", arguments: Target.allCases)
    func lives(target: Target) throws {
        var (board, config, scenario) = try ExportTests.board(target)
        try Self.run(&board, target, config: config, scenario: scenario, seed: 4, offsetS: 0)
        let first = try #require(Self.number(board.device.incarnation), "\(board.device.incarnation)")
        // The second of the first answer, after the first bin closed: the collector's clock, or
        // InfluxDB's Date.
        #expect(Int64(first)! >= ExportTests.epochS + 60 && Int64(first)! < ExportTests.epochS + 120)
        let firstTotal = board.device.grandTotal(lane: 0)

        try board.reboot()
        #expect(Self.number(board.device.incarnation) == first, "a reboot with its journal is the same life")

        // The flash wiped (a new unit fitted, or the old one reflashed): same id, same target.
        var wiped = try EmulatedBoard(config: config, link: board.device.link)
        #expect(wiped.device.incarnation == .unknown)
        try Self.run(&wiped, target, config: config, scenario: scenario, seed: 5, offsetS: 3600)
        let second = try #require(Self.number(wiped.device.incarnation))
        #expect(second != first)

        let store = try ExportTests.store(wiped, target)
        let records = store.points.values.filter { $0.measurement == "crossings" || $0.measurement == "coverage" }
        #expect(records.allSatisfy { [first, second].contains($0.tags["incarnation"] ?? "") }, "every record is tagged with its life")
        #expect(store.rewrites == 0, "no point of one life overwrote the other's")
        #expect(store.sum("crossings", "count", where: ["incarnation": first]) == Int64(firstTotal))
        #expect(store.sum("crossings", "count", where: ["incarnation": second]) == Int64(wiped.device.grandTotal(lane: 0)))
    }

    @Test("Power lost before the incarnation reached the journal: the device asks again and never uses the first", arguments: Target.allCases)
    func powerCutBeforeCommit(target: Target) throws {
        var (board, config, scenario) = try ExportTests.board(target)
        var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 6, durationS: 600)
        // The first record closes while the target is down, so the device's first try fails.
        while let nextUs = feed.nextUs, board.device.outbox.count == 0 {
            ExportTests.set(&board, target, nowUs: nextUs, down: true)
            _ = try feed.deliverNext(to: &board)
        }
        #expect(board.device.incarnation == .unknown)
        // The target is back for the retry; the power is set to fail at the next flash
        // operation, which is the commit of what the answer taught.
        var timeUs = board.device.clock.us
        var cutWhile: Incarnation?
        for _ in 0..<100 where cutWhile == nil {
            timeUs += 100_000
            ExportTests.set(&board, target, nowUs: timeUs, down: false)
            board.device.flash.cutPower(atOperation: 1, .atomic)
            do throws(FlashError) {
                try board.idle(atUs: timeUs)
            } catch {
                #expect(error == .powerLost)
                cutWhile = board.device.incarnation
            }
        }
        guard case .learned(let lost) = cutWhile else {
            Issue.record("the power failed while the device held \(String(describing: cutWhile)), not a learned incarnation")
            return
        }
        let store = try ExportTests.store(board, target)
        #expect(!store.points.values.contains { $0.measurement == "crossings" }, "no record went out before the commit")

        try board.reboot()
        #expect(board.device.incarnation == .unknown, "the journal never held it")
        while let nextUs = feed.nextUs {
            if nextUs > timeUs {
                ExportTests.set(&board, target, nowUs: nextUs, down: false)
                _ = try feed.deliverNext(to: &board)
            } else {
                _ = feed.dropNext()
            }
        }
        try Self.drain(&board, target, offsetS: 0)
        let final = try #require(Self.number(board.device.incarnation))
        if target == .collector {
            // The collector gives a number above every one it gave; a Date may give the same second
            // again, harmless since the first was never used.
            #expect(final != "\(lost)")
        }
        let records = try ExportTests.store(board, target).points.values.filter { $0.measurement == "crossings" }
        #expect(!records.isEmpty && records.allSatisfy { $0.tags["incarnation"] == final })
    }
}
