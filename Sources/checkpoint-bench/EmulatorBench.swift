import CheckpointCLI
import CrossingCollector
import CrossingCore
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation
import Synchronization

/// `checkpoint-bench emulator`: Verkhny Lars end to end, from the sensors' registers through
/// the firmware on emulated boards, over TCP, into the collector.
enum EmulatorBench {
    static let help = """
        usage: checkpoint-bench emulator [--hours N] [--scenario FILE] [--json]

        Runs the scenario (default Hardware/scenarios/sites/verkhny-lars.json) for N simulated
        hours (default 168, a week): each lane is its own device, on its own emulated board and
        thread, reading its sensor through the registers and exporting signed batches over
        TCP to a collector in this process, which logs and syncs them. At the end every
        device's totals must equal the collector's. Reports simulated seconds per wall second,
        frames (and loop scans) per second, and the week's wall time: measured when N is 168,
        else scaled from N hours and marked so.

          --json   one JSON object: sim_s_per_wall_s, frames_per_s, frames, wall_s,
                   simulated_h, verkhny_lars_week_wall_s, week_extrapolated
        """

    static func main(_ argumentList: [String]) {
        let (arguments, options) = Command.parse(
            argumentList, program: program, help: help, valueOptions: ["hours", "scenario"], flagOptions: ["json"]
        ) { arguments throws(UsageError) in
            (hours: try arguments.number("hours", in: 0.1...744) ?? 168,
             scenario: arguments.value("scenario") ?? "Hardware/scenarios/sites/verkhny-lars.json")
        }
        installInterruptHandler()
        let scenario: Scenario
        let derived: DeviceConfig
        do throws(ScenarioError) {
            scenario = try Scenario.load(path: options.scenario)
            derived = try DeviceConfigFile.derived(from: scenario, file: options.scenario)
        } catch {
            Terminal.fail(program, error.description)
        }
        let durationS = options.hours * 3600
        let directory = benchDirectory("emulator")
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // One device per lane, so the lanes run on both cores.
        let configs = deviceConfigs(derived)
        var serverOptions = ServerOptions()
        serverOptions.tcp = "127.0.0.1:0"
        serverOptions.http = nil
        let server: CollectorServer
        do throws(CollectorError) {
            let keys = DeviceKeys(keys: Dictionary(uniqueKeysWithValues: configs.map { ($0.device.string, BenchLines.key($0.device.string)) }))
            server = try CollectorServer(store: try CollectorStore(directory: directory, warn: { _ in }), options: serverOptions, keys: keys, log: { _ in })
        } catch {
            Terminal.fail(program, error.description)
        }
        let serverThread = Thread { server.run() }
        serverThread.start()

        let frames = Atomic<Int>(0)
        let simulatedS = Mutex<[Double]>(Array(repeating: 0, count: configs.count))
        let results = Mutex<[DeviceResult]>([])
        let start = DispatchTime.now().uptimeNanoseconds
        for (index, template) in configs.enumerated() {
            var exporting = template
            exporting.export = ShortText(text: "tcp://127.0.0.1:\(server.tcpPort!)")
            let config = exporting
            Thread {
                runDevice(
                    config: config, scenario: scenario, durationS: durationS, port: server.tcpPort!,
                    frames: frames, simulatedS: simulatedS, index: index, results: results)
            }.start()
        }
        var progress = ProgressLine(total: durationS * Double(configs.count), unit: "sim-s")
        while results.withLock({ $0.count }) < configs.count {
            usleep(200_000)
            progress.update(done: simulatedS.withLock { $0.reduce(0, +) }, detail: "\(frames.load(ordering: .relaxed)) frames")
        }
        progress.finish()
        let wallS = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        server.stop()
        while !serverThread.isFinished { usleep(1000) }
        exitIfInterrupted()
        verify(results.withLock { $0 }, directory: directory)
        let week = options.hours == 168
        let weekWallS = wallS * 168 / options.hours
        let total = frames.load(ordering: .relaxed)
        if arguments.flag("json") {
            print(JSONValue.object([
                ("sim_s_per_wall_s", .number((durationS / wallS).rounded())), ("frames_per_s", .number((Double(total) / wallS).rounded())),
                ("frames", .integer(Int64(total))), ("wall_s", .number((wallS * 10).rounded() / 10)), ("simulated_h", .number(options.hours)),
                ("verkhny_lars_week_wall_s", .number((weekWallS * 10).rounded() / 10)), ("week_extrapolated", .bool(!week)),
            ]).rendered())
            return
        }
        print(renderTable(
            headers: ["simulated", "wall", "sim-s/wall-s", "frames/s", "week wall"],
            rows: [[String(format: "%.1f h", options.hours), String(format: "%.1f s", wallS), String(format: "%.0f", durationS / wallS),
                    String(format: "%.0f", Double(total) / wallS), String(format: "%.0f s%@", weekWallS, week ? "" : " (scaled)")]]))
        print("\(configs.count) devices, one per lane; every device's totals equal the collector's")
    }

    /// A device per lane of `derived`, each with its own name and key.
    static func deviceConfigs(_ derived: DeviceConfig) -> [DeviceConfig] {
        var configs: [DeviceConfig] = []
        for index in 0..<derived.laneCount {
            var config = DeviceConfig()
            config.site = derived.site
            config.binIntervalS = derived.binIntervalS
            config.persistIntervalS = derived.persistIntervalS
            _ = config.append(derived.lane(index))
            config.device = ShortText(text: "bench-\(derived.lane(index).name.string)")
            config.keyPresent = true
            let key = BenchLines.key(config.device.string)
            for byte in 0..<32 { config.key[byte] = key[byte] }
            configs.append(config)
        }
        return configs
    }

    typealias DeviceResult = (device: String, totals: [String: UInt64], error: String?)

    /// One device's run, on its own thread: its lane's scene through the emulated board, exported
    /// to the collector over TCP, then drained; its totals go to `results`.
    static func runDevice(
        config: DeviceConfig, scenario: Scenario, durationS: Double, port: Int, frames: borrowing Atomic<Int>,
        simulatedS: borrowing Mutex<[Double]>, index: Int, results: borrowing Mutex<[DeviceResult]>
    ) {
        do {
            var feed = try ScenarioFeed(config: config, scenario: scenario, seed: 1, durationS: durationS)
            var link = TCPLink(host: "127.0.0.1", port: UInt16(port))
            link.simulatedEpochNs = 1_663_804_800 * 1_000_000_000
            var board = try EmulatedBoard(config: config, flash: EmulatedBoard.blankFlash(), faultRate: 0, seed: 1, link: .tcp(link))
            var delivered = 0
            try feed.drive(&board, speed: nil, shouldStop: { interruptRequested.load(ordering: .relaxed) }) { timeS, total, _ in
                frames.add(total - delivered, ordering: .relaxed)
                delivered = total
                simulatedS.withLock { $0[index] = timeS }
            }
            try board.device.persist()
            let drained = try board.drainExport(timeoutS: 120, shouldStop: { interruptRequested.load(ordering: .relaxed) })
            var totals: [String: UInt64] = [:]
            for crossingClass in [CrossingClass.pedestrian, .bicycle, .car, .bus] {
                for direction in [Direction.outbound, .inbound] {
                    totals["\(crossingClass)_\(direction)"] = board.total(lane: 0, crossingClass, direction)
                }
            }
            results.withLock { $0.append((config.device.string, totals, drained ? nil : "not every record acknowledged")) }
        } catch {
            results.withLock { $0.append((config.device.string, [:], "\(error)")) }
        }
    }

    /// The collector must hold exactly what the devices counted, or the figure means nothing.
    static func verify(_ results: [DeviceResult], directory: String) {
        let ledger: Ledger
        do throws(CollectorError) {
            ledger = try CollectorStore.readLedger(directory: directory, warn: { _ in })
        } catch {
            Terminal.fail(program, error.description)
        }
        for result in results {
            if let error = result.error { Terminal.fail(program, "\(result.device): \(error)") }
            for (column, count) in result.totals {
                let stored = ledger.totals.sum { "\($0.crossingClass)_\($0.direction)" == column && $0.device == result.device }
                if stored != Int64(count) { Terminal.fail(program, "\(result.device) \(column): device \(count), collector \(stored)") }
            }
        }
    }
}
