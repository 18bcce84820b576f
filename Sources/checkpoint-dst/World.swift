import CheckpointCLI
import CrossingCollector
import CrossingCore
import CrossingDevice
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation

/// The state of one seed's run, and its steps in the order `Simulation` takes them: the
/// devices, the network between them and the collector, the faults still to come, and the one
/// virtual clock. Every random draw comes from `random`, in the same order for the same seed.
struct World {
    struct Node {
        var name: String
        var config: DeviceConfig
        var board: EmulatedBoard
        var feed: ScenarioFeed
        var downUntilUs: UInt64?
        /// Recent batches this device sent, for the network to deliver again out of order.
        var sent: [[UInt8]] = []
        /// The units this one replaced, oldest first.
        var retired: [RetiredUnit] = []

        mutating func deliverNext() throws(FlashError) {
            _ = try feed.deliverNext(to: &board)
        }
    }

    /// A unit taken out of service: its incarnation, and per lane and cell (class x 3 +
    /// direction) what it counted and what of that the collector had acknowledged.
    struct RetiredUnit {
        var incarnation: Incarnation
        var counted: [[UInt64]]
        var acknowledged: [[UInt64]]
    }

    /// An answer of the collector on its way back to a device.
    struct InFlight {
        var answer: CollectorNode.Answer
        var dueUs: UInt64
    }

    let plan: FaultPlan
    var random: SplitMix64
    var nodes: [Node]
    let collector: CollectorNode
    var inFlight: [InFlight] = []
    var crashes: ArraySlice<Double>
    var collectorPowerCuts: ArraySlice<Double>
    var powerCuts: ArraySlice<(device: Int, atS: Double, torn: Bool)>
    var resets: ArraySlice<(device: Int, atS: Double)>
    var clockSteps: ArraySlice<(atS: Double, stepS: Int64)>
    var replacements: ArraySlice<(device: Int, atS: Double)>
    let seed: UInt64
    var clockOffsetNs: Int64 = 0
    var collectorDownUntilUs: UInt64 = 0
    var nowUs: UInt64 = 0
    let endUs: UInt64
    var frames = 0
    var deviceReboots = 0

    /// The devices, each with its own key, board and scene, and the collector knowing the keys.
    init(simulation: Simulation, plan: FaultPlan) throws {
        self.plan = plan
        var random = SplitMix64(seed: simulation.seed)
        var nodes: [Node] = []
        let scenario = try Scenario.parse(data: Data(Simulation.scenarioJSON.utf8), file: "dst")
        var keys: [String: [UInt8]] = [:]
        for index in 0..<simulation.devices {
            var config = try DeviceConfigFile.derived(from: scenario, file: "dst")
            let name = "dst-\(index)"
            config.device = ShortText(text: name)!
            config.export = ShortText(text: "tcp://collector:1")!
            let key = (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for byte in 0..<32 { config.key[byte] = key[byte] }
            config.keyPresent = true
            keys[name] = key
            let seed = simulation.seed
            let board = try EmulatedBoard(
                config: config, faultRate: plan.busFaultRate, seed: seed &+ UInt64(index), link: .pipe(PipeLink()))
            let feed = try ScenarioFeed(
                config: config, scenario: scenario, seed: seed &* 31 &+ UInt64(index), durationS: simulation.durationS)
            nodes.append(Node(name: name, config: config, board: board, feed: feed))
        }
        self.random = random
        self.nodes = nodes
        try FileManager.default.createDirectory(atPath: simulation.directory, withIntermediateDirectories: true)
        collector = try CollectorNode(directory: simulation.directory, keys: DeviceKeys(keys: keys), nowNs: Simulation.epochNs)
        crashes = plan.collectorCrashesS[...]
        collectorPowerCuts = plan.collectorPowerCutsS[...]
        powerCuts = plan.powerCuts.sorted { $0.atS < $1.atS }[...]
        resets = plan.watchdogResets.sorted { $0.atS < $1.atS }[...]
        clockSteps = plan.clockSteps.sorted { $0.atS < $1.atS }[...]
        replacements = plan.replacements.sorted { $0.atS < $1.atS }[...]
        seed = simulation.seed
        endUs = UInt64(simulation.durationS * 1_000_000)
    }

    /// The run's counters, for its outcome and digest.
    func report(into outcome: inout Simulation.Outcome) {
        outcome.frames = frames
        outcome.deviceReboots = deviceReboots
        outcome.batchesStored = collector.batchesStored
        outcome.batchesRepeated = collector.batchesRepeated
        outcome.collectorCrashes = collector.crashes + collector.powerCuts
    }

    mutating func chance(_ permille: UInt64) -> Bool { permille > 0 && random.next() % 1000 < permille }

    /// The plan's faults due by now: collector crashes, power cuts, watchdog resets, clock steps.
    mutating func applyScheduledFaults() throws {
        let nowS = Double(nowUs) / 1_000_000
        while let crash = crashes.first, crash <= nowS {
            crashes.removeFirst()
            try collector.crash(keepPermille: random.next() % 1001)
            collectorWentDown()
        }
        while let cut = collectorPowerCuts.first, cut <= nowS {
            collectorPowerCuts.removeFirst()
            try collector.cutPower(random: &random)
            collectorWentDown()
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
        while let clockStep = clockSteps.first, clockStep.atS <= nowS {
            clockSteps.removeFirst()
            clockOffsetNs += clockStep.stepS * 1_000_000_000
        }
        while let replacement = replacements.first, replacement.atS <= nowS {
            replacements.removeFirst()
            try replace(replacement.device)
        }
    }

    /// The collector went down: answers on their way are lost with its connections, and it is
    /// back within a minute.
    private mutating func collectorWentDown() {
        inFlight = []
        for index in nodes.indices { nodes[index].board.withPipe { $0.breakConnection() } }
        collectorDownUntilUs = nowUs + 1_000_000 + random.next() % 60_000_000
    }

    /// One step of every device, the network and the collector at `nowUs`.
    mutating func step(faults: Bool) throws {
        if interruptRequested.load(ordering: .relaxed) { throw Interrupted() }
        collector.nowNs = Simulation.epochNs + Int64(nowUs) * 1000 + clockOffsetNs
        let collectorUp = nowUs >= collectorDownUntilUs
        for index in nodes.indices {
            try stepDevice(index, faults: faults, collectorUp: collectorUp)
        }
        try deliverAnswers(faults: faults)
        try checkBounds()
    }

    /// One device: back from a power cut or reset when its time comes, its frames due, a turn of
    /// its loop, and what it sent carried to the collector, lost, repeated or replayed stale.
    private mutating func stepDevice(_ index: Int, faults: Bool, collectorUp: Bool) throws {
        if let until = nodes[index].downUntilUs {
            while let next = nodes[index].feed.nextUs, next <= nowUs { _ = nodes[index].feed.dropNext() }
            guard nowUs >= until else { return }
            try nodes[index].board.reboot()
            nodes[index].downUntilUs = nil
            deviceReboots += 1
        }
        let nowS = Double(nowUs) / 1_000_000
        let partitioned = faults && plan.partitions.contains {
            ($0.device == nil || $0.device == index) && nowS >= $0.startS && nowS < $0.endS
        }
        nodes[index].board.withPipe { $0.partitioned = partitioned || !collectorUp }
        do throws(FlashError) {
            while let next = nodes[index].feed.nextUs, next <= nowUs {
                if faults && chance(plan.frameDropPermille) {
                    _ = nodes[index].feed.dropNext()
                } else {
                    try nodes[index].deliverNext()
                    frames += 1
                }
            }
            try nodes[index].board.idle(atUs: nowUs)
        } catch {
            // Only the power failing is expected of the flash; any other error is the
            // firmware's own fault.
            guard error == .powerLost else {
                throw Failure("\(nodes[index].name) at \(nowS) s: the flash refused an operation: \(error)")
            }
            // The power failed during a flash operation: the device is down a while.
            nodes[index].board.withPipe { $0.breakConnection() }
            nodes[index].downUntilUs = nowUs + 1_000_000 + random.next() % 30_000_000
            return
        }
        try send(from: index, faults: faults)
    }

    /// What device `index` sent crosses the network to the collector.
    private mutating func send(from index: Int, faults: Bool) throws {
        let connection = nodes[index].board.withPipe { $0.connection }
        let bytes = nodes[index].board.withPipe { $0.takeSent() }
        guard !bytes.isEmpty else { return }
        if faults && chance(plan.lossPermille) {
            nodes[index].board.withPipe { $0.breakConnection() }
            return
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

    /// The group commit, then the answers it released go out, late or lost.
    private mutating func deliverAnswers(faults: Bool) throws {
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
    }

    /// Every fault healed: the collector up, a device cut off mid-operation gets its power back,
    /// and a cut still pending is called off. Then the scenes' last frames and scans, and a clean
    /// shutdown's close of the open bins.
    mutating func heal() throws {
        collectorDownUntilUs = 0
        for index in nodes.indices {
            if nodes[index].board.device.flash.powerLost || nodes[index].downUntilUs != nil {
                nodes[index].downUntilUs = nowUs
            } else {
                nodes[index].board.device.flash.powerOn()
            }
        }
        try step(faults: false)
        while nodes.contains(where: { $0.feed.nextUs != nil }) {
            nowUs += Simulation.stepUs
            try step(faults: false)
        }
        for index in nodes.indices { try nodes[index].board.device.closeBins() }
    }

    /// Runs healed until every outbox is empty and no export is under way, twice running (bins
    /// a full outbox left with their lane move on the turn after it empties), then commits.
    mutating func drain() throws {
        let quietEndUs = nowUs + UInt64(Simulation.quietMaxS * 1_000_000)
        var quietSteps = 0
        while true {
            nowUs += Simulation.healedStepUs
            try step(faults: false)
            let quiet = nodes.indices.allSatisfy { index in
                nodes[index].board.device.outbox.count == 0 && !nodes[index].board.device.exportBusy
            }
            quietSteps = quiet ? quietSteps + 1 : 0
            if quietSteps == 2 { break }
            if nowUs >= quietEndUs {
                let left = nodes.map { "\($0.name) \($0.board.device.outbox.count)" }.joined(separator: ", ")
                throw Failure("the outboxes did not drain in \(Int(Simulation.quietMaxS)) s after healing: \(left) records left")
            }
        }
        for index in nodes.indices { try nodes[index].board.device.persist() }
    }

    /// The bounds that hold at every step: outboxes within their capacity, and the bytes held
    /// for the network and by the collector within a few requests.
    private mutating func checkBounds() throws {
        for index in nodes.indices {
            let records = nodes[index].board.device.outbox.count
            if records > DeviceOutbox.recordsMax {
                throw Failure("\(nodes[index].name): the outbox holds \(records) records, over its \(DeviceOutbox.recordsMax)")
            }
            let held = nodes[index].board.withPipe { $0.sent.count + $0.toDevice.count }
            if held > Simulation.pipeBytesMax { throw Failure("\(nodes[index].name): \(held) bytes held on its link") }
        }
        let bound = nodes.count * (CollectorNode.lineBytesMax + Exporter.bodyBytesMax * 2)
        if collector.bufferedBytes > bound {
            throw Failure("the collector holds \(collector.bufferedBytes) bytes of unfinished batches, over \(bound)")
        }
    }
}
