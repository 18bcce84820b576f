import CheckpointCLI
import CrossingCollector
import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation

/// One seed's run: `devices` counting devices (CrossingFirmware on emulated parts, each fed a
/// scene) and the collector's ingest and storage, in one process on one virtual clock.
///
/// Phase 1 runs `durationS` simulated seconds under the seed's `FaultPlan`. Phase 2 heals every
/// fault, closes each device's open bins as a clean shutdown does, and runs until every outbox
/// is empty (or `quietMaxS` passes, a failure). Then every device's totals, per lane, class and
/// direction, must equal the collector's exactly: nothing lost, nothing stored twice.
struct Simulation {
    struct Outcome {
        var seed: UInt64
        var failure: String?
        /// A hash of the collector's final totals, the run's counters and how it ended: the same
        /// seed gives the same digest.
        var digest: UInt64
        var faults: String
        var frames = 0
        var batchesStored = 0
        var batchesRepeated = 0
        var collectorCrashes = 0
        var deviceReboots = 0
    }

    static let stepUs: UInt64 = 100_000
    static let healedStepUs: UInt64 = 1_000_000
    static let quietMaxS: Double = 12 * 3600
    /// Wall time when the run starts, ns since 1970: the collector's clock, before any step.
    static let epochNs: Int64 = 1_663_747_200_000_000_000
    /// The pipes' buffers stay within a request and its answer.
    static let pipeBytesMax = 64 << 10

    /// The scene every device counts: a walkway under a depth sensor and a road lane over a
    /// loop pair, sampled slowly so that hours of simulated time run in a second.
    static let scenarioJSON = """
        {"name": "dst", "site": "dst", "duration_s": 3600, "lanes": [
          {"name": "walkway", "kind": "walkway", "width_m": 2.4, "length_m": 12,
           "sensor": {"mount_height_m": 4.0, "fov_deg": 60, "grid": 8, "frame_rate_hz": 5},
           "traffic": [{"class": "pedestrian", "direction": "outbound", "per_hour": 90},
                       {"class": "pedestrian", "direction": "inbound", "per_hour": 60}]},
          {"name": "road", "kind": "road", "width_m": 3.5, "length_m": 80,
           "loops": {"length_m": 1.5, "spacing_m": 4.0, "sample_rate_hz": 20, "noise_ppm": 3},
           "traffic": [{"class": "car", "direction": "outbound", "per_hour": 90, "speed_mps": {"min": 3, "max": 8}},
                       {"class": "bus", "direction": "inbound", "per_hour": 10, "speed_mps": {"min": 3, "max": 6}}]}]}
        """

    let seed: UInt64
    let devices: Int
    let durationS: Double
    /// The kinds of fault the run may suffer (`FaultPlan.kinds`).
    let faultKinds: Set<String>
    let directory: String

    private struct Node {
        var name: String
        var board: EmulatedBoard
        var feed: ScenarioFeed
        var downUntilUs: UInt64?
        /// Recent batches this device sent, for the network to deliver again out of order.
        var sent: [[UInt8]] = []

        mutating func deliverNext() throws(FlashError) {
            _ = try feed.deliverNext(to: &board)
        }
    }

    private struct InFlight {
        var answer: CollectorNode.Answer
        var dueUs: UInt64
    }

    func run() -> Outcome {
        var plan = FaultPlan(seed: seed, devices: devices, durationS: durationS)
        plan.keep(faultKinds)
        var outcome = Outcome(seed: seed, digest: 0, faults: plan.summary)
        do {
            try simulate(plan: plan, outcome: &outcome)
        } catch {
            outcome.failure = "\(error)"
        }
        var digest = Digest()
        digest.add(outcome.digest)
        for value in [outcome.frames, outcome.batchesStored, outcome.batchesRepeated, outcome.collectorCrashes, outcome.deviceReboots] {
            digest.add(UInt64(value))
        }
        for byte in (outcome.failure ?? "").utf8 { digest.add(UInt64(byte)) }
        outcome.digest = digest.value
        try? FileManager.default.removeItem(atPath: directory)
        return outcome
    }

    private func simulate(plan: FaultPlan, outcome: inout Outcome) throws {
        var random = SplitMix64(seed: seed)
        func chance(_ permille: UInt64) -> Bool { permille > 0 && random.next() % 1000 < permille }
        let scenario = try Scenario.parse(data: Data(Self.scenarioJSON.utf8), file: "dst")
        var nodes: [Node] = []
        var keys: [String: [UInt8]] = [:]
        for index in 0..<devices {
            var config = try DeviceConfigFile.derived(from: scenario, file: "dst")
            let name = "dst-\(index)"
            config.device = ShortText(text: name)!
            config.export = ShortText(text: "tcp://collector:1")!
            let key = (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for byte in 0..<32 { config.key[byte] = key[byte] }
            config.keyPresent = true
            keys[name] = key
            let board = try EmulatedBoard(
                config: config, faultRate: plan.busFaultRate, seed: seed &+ UInt64(index), link: .pipe(PipeLink()))
            let feed = try ScenarioFeed(config: config, scenario: scenario, seed: seed &* 31 &+ UInt64(index), durationS: durationS)
            nodes.append(Node(name: name, board: board, feed: feed))
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let collector = try CollectorNode(directory: directory, keys: DeviceKeys(keys: keys), nowNs: Self.epochNs)
        defer {
            outcome.batchesStored = collector.batchesStored
            outcome.batchesRepeated = collector.batchesRepeated
            outcome.collectorCrashes = collector.crashes
        }
        var inFlight: [InFlight] = []
        var crashes = plan.collectorCrashesS[...]
        var powerCuts = plan.powerCuts.sorted { $0.atS < $1.atS }[...]
        var resets = plan.watchdogResets.sorted { $0.atS < $1.atS }[...]
        var steps = plan.clockSteps.sorted { $0.atS < $1.atS }[...]
        var clockOffsetNs: Int64 = 0
        var collectorDownUntilUs: UInt64 = 0
        var nowUs: UInt64 = 0
        let endUs = UInt64(durationS * 1_000_000)

        /// One step of every device, the network and the collector at `nowUs`.
        func step(faults: Bool) throws {
            if interruptRequested.load(ordering: .relaxed) { throw Interrupted() }
            collector.nowNs = Self.epochNs + Int64(nowUs) * 1000 + clockOffsetNs
            let collectorUp = nowUs >= collectorDownUntilUs
            for index in nodes.indices {
                // Power and resets.
                if let until = nodes[index].downUntilUs {
                    while let next = nodes[index].feed.nextUs, next <= nowUs { _ = nodes[index].feed.dropNext() }
                    guard nowUs >= until else { continue }
                    try nodes[index].board.reboot()
                    nodes[index].downUntilUs = nil
                    outcome.deviceReboots += 1
                }
                let nowS = Double(nowUs) / 1_000_000
                let partitioned = faults && plan.partitions.contains {
                    ($0.device == nil || $0.device == index) && nowS >= $0.startS && nowS < $0.endS
                }
                nodes[index].board.withPipe { $0.partitioned = partitioned || !collectorUp }
                // Frames due, then a turn of the loop at this time.
                do throws(FlashError) {
                    while let next = nodes[index].feed.nextUs, next <= nowUs {
                        if faults && chance(plan.frameDropPermille) {
                            _ = nodes[index].feed.dropNext()
                        } else {
                            try nodes[index].deliverNext()
                            outcome.frames += 1
                        }
                    }
                    try nodes[index].board.idle(atUs: nowUs)
                } catch {
                    // Only the power failing is expected of the flash; any other error is the
                    // firmware's own fault.
                    guard error == .powerLost else {
                        throw Failure("\(nodes[index].name) at \(Double(nowUs) / 1_000_000) s: the flash refused an operation: \(error)")
                    }
                    // The power failed during a flash operation: the device is down a while.
                    nodes[index].board.withPipe { $0.breakConnection() }
                    nodes[index].downUntilUs = nowUs + 1_000_000 + random.next() % 30_000_000
                    continue
                }
                // What the device sent crosses the network to the collector.
                let connection = nodes[index].board.withPipe { $0.connection }
                let bytes = nodes[index].board.withPipe { $0.takeSent() }
                guard !bytes.isEmpty else { continue }
                if faults && chance(plan.lossPermille) {
                    nodes[index].board.withPipe { $0.breakConnection() }
                    continue
                }
                let result = try collector.receive(device: index, connection: connection, bytes: bytes)
                if faults && chance(plan.duplicatePermille) {
                    // A retransmission arriving on a connection of its own: its answer goes nowhere.
                    _ = try collector.receive(device: index, connection: -1, bytes: bytes)
                }
                if faults && chance(plan.stalePermille), let old = nodes[index].sent.first {
                    _ = try collector.receive(device: index, connection: -2, bytes: old)
                }
                nodes[index].sent.append(bytes)
                if nodes[index].sent.count > 8 { nodes[index].sent.removeFirst() }
                for answer in result.answers { inFlight.append(InFlight(answer: answer, dueUs: nowUs)) }
                if result.broke { nodes[index].board.withPipe { $0.breakConnection() } }
            }
            // The group commit, then the answers it released go out, late or lost.
            for answer in try collector.commit() {
                let delayUs = faults && plan.answerDelayMaxMs > 0 ? (random.next() % plan.answerDelayMaxMs) * 1000 : 0
                inFlight.append(InFlight(answer: answer, dueUs: nowUs + delayUs))
            }
            var waiting: [InFlight] = []
            for flight in inFlight {
                guard flight.dueUs <= nowUs else {
                    waiting.append(flight)
                    continue
                }
                let index = flight.answer.device
                guard index >= 0 && index < nodes.count, nodes[index].downUntilUs == nil else { continue }
                let lost = faults && chance(plan.lossPermille)
                nodes[index].board.withPipe { pipe in
                    guard pipe.isConnected && pipe.connection == flight.answer.connection else { return }
                    if lost { pipe.breakConnection() } else { pipe.answer(flight.answer.bytes) }
                }
            }
            inFlight = waiting
            try checkBounds(nodes: &nodes, collector: collector)
        }

        // Phase 1: the scene, under the plan's faults.
        while nowUs < endUs {
            let nowS = Double(nowUs) / 1_000_000
            while let crash = crashes.first, crash <= nowS {
                crashes.removeFirst()
                try collector.crash(keepPermille: random.next() % 1001)
                inFlight = []
                for index in nodes.indices { nodes[index].board.withPipe { $0.breakConnection() } }
                collectorDownUntilUs = nowUs + 1_000_000 + random.next() % 60_000_000
            }
            while let cut = powerCuts.first, cut.atS <= nowS {
                powerCuts.removeFirst()
                if nodes[cut.device].downUntilUs == nil {
                    nodes[cut.device].board.device.flash.cutPower(
                        atOperation: 1 + Int(random.next() % 12), cut.torn ? .torn(quarters: 1 + Int(random.next() % 3)) : .atomic)
                }
            }
            while let reset = resets.first, reset.atS <= nowS {
                resets.removeFirst()
                if nodes[reset.device].downUntilUs == nil {
                    nodes[reset.device].board.withPipe { $0.breakConnection() }
                    nodes[reset.device].downUntilUs = nowUs
                }
            }
            while let clockStep = steps.first, clockStep.atS <= nowS {
                steps.removeFirst()
                clockOffsetNs += clockStep.stepS * 1_000_000_000
            }
            try step(faults: true)
            nowUs += Self.stepUs
        }

        // Phase 2: every fault healed; a device cut off mid-operation gets its power back, and a
        // cut still pending is called off.
        collectorDownUntilUs = 0
        for index in nodes.indices {
            if nodes[index].board.device.flash.powerLost || nodes[index].downUntilUs != nil {
                nodes[index].downUntilUs = nowUs
            } else {
                nodes[index].board.device.flash.powerOn()
            }
        }
        // The scenes' last frames and scans, then a clean shutdown's close of the open bins.
        try step(faults: false)
        while nodes.contains(where: { $0.feed.nextUs != nil }) {
            nowUs += Self.stepUs
            try step(faults: false)
        }
        for index in nodes.indices { try nodes[index].board.device.closeBins() }
        let quietEndUs = nowUs + UInt64(Self.quietMaxS * 1_000_000)
        // Quiet twice running: bins a full outbox left with their lane move on the turn after
        // it empties.
        var quietSteps = 0
        while true {
            nowUs += Self.healedStepUs
            try step(faults: false)
            let quiet = nodes.indices.allSatisfy { index in
                nodes[index].board.device.outbox.count == 0 && !nodes[index].board.device.exportBusy
            }
            quietSteps = quiet ? quietSteps + 1 : 0
            if quietSteps == 2 { break }
            if nowUs >= quietEndUs {
                let left = nodes.map { "\($0.name) \($0.board.device.outbox.count)" }.joined(separator: ", ")
                throw Failure("the outboxes did not drain in \(Int(Self.quietMaxS)) s after healing: \(left) records left")
            }
        }
        for index in nodes.indices { try nodes[index].board.device.persist() }

        // Every count, exactly once.
        var digest = Digest()
        for node in nodes {
            for lane in 0..<node.board.device.config.laneCount {
                let laneName = node.board.device.config.lane(lane).name.string
                for crossingClass in [CrossingClass.pedestrian, .bicycle, .car, .bus] {
                    for direction in [Direction.outbound, .inbound, .unknown] {
                        let className = "\(crossingClass.name)"
                        let directionName = "\(direction.name)"
                        let counted = node.board.device.total(lane: lane, crossingClass, direction)
                        let stored = collector.total(
                            device: node.name, lane: laneName, crossingClass: className, direction: directionName)
                        digest.add(UInt64(bitPattern: stored))
                        if UInt64(stored) != counted {
                            throw Failure(
                                "\(node.name) lane \(laneName) \(className) \(directionName): "
                                    + "the device counted \(counted), the collector stored \(stored)")
                        }
                    }
                }
            }
        }
        outcome.digest = digest.value
    }

    /// The bounds that hold at every step: outboxes within their capacity, and the bytes held
    /// for the network and by the collector within a few requests.
    private func checkBounds(nodes: inout [Node], collector: CollectorNode) throws {
        // By index, in place: a copy of a node copies its board, flash and all, every step.
        for index in nodes.indices {
            let records = nodes[index].board.device.outbox.count
            if records > DeviceOutbox.recordsMax {
                throw Failure("\(nodes[index].name): the outbox holds \(records) records, over its \(DeviceOutbox.recordsMax)")
            }
            let held = nodes[index].board.withPipe { $0.sent.count + $0.toDevice.count }
            if held > Self.pipeBytesMax { throw Failure("\(nodes[index].name): \(held) bytes held on its link") }
        }
        let bound = nodes.count * (CollectorNode.lineBytesMax + Exporter.bodyBytesMax * 2)
        if collector.bufferedBytes > bound {
            throw Failure("the collector holds \(collector.bufferedBytes) bytes of unfinished batches, over \(bound)")
        }
    }
}

/// Why a run failed, as the report says it.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SIGINT arrived: the run stops where it is.
struct Interrupted: Error, CustomStringConvertible {
    var description: String { "interrupted" }
}

/// FNV-1a over 64-bit words.
struct Digest {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            value ^= (word >> UInt64(shift)) & 0xFF
            value &*= 0x100_0000_01B3
        }
    }
}
