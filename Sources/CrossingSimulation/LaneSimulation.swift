import CrossingCore
import Foundation

/// Moves the traffic of one lane through time and records ground truth.
///
/// Walkers keep to their own half of the lane (keep right) and do not walk through one
/// another; vehicles follow in single file; a gate lets one vehicle through at a time, so the
/// queue behind it stops and goes under the sensor. Everything random comes from `random`.
struct LaneSimulation {
    let spec: LaneSpec
    let startHour: Double
    let halfLengthM: Double
    /// Traffic both ways: each direction keeps to its own half.
    let hasTwoDirections: Bool
    /// The counting line in each direction's travel coordinate.
    let lineS: (outbound: Double, inbound: Double)
    private var random: SplitMix64
    /// Each person's body (stature, width, what they carry) and every body's reflectance,
    /// drawn from a stream of their own so that who arrives when does not change with the
    /// crowd or the sensor model.
    private var appearance: SplitMix64
    private var nextArrivalS: [Double]
    /// Arrivals waiting for room at the upstream end, per direction (outbound, inbound).
    private var backlog: [[Agent]] = [[], []]
    private(set) var agents: [Agent] = []
    private(set) var truth: [TruthEvent] = []
    /// Arrivals that never got into the modelled road before the run ended.
    var backlogCount: Int { backlog[0].count + backlog[1].count }

    static let walkerGapM = 0.45
    /// Drivers keep at least this much time behind a moving leader, on top of the standstill gap.
    static let vehicleTimeGapS = 0.8

    /// Arrivals taken from another lane's crossings (`LaneSpec.arrivalsFrom`), in time order,
    /// each with the index of its traffic entry; nil when this lane draws its own.
    private var feed: [(timeS: Double, traffic: Int)]?
    private var feedIndex = 0

    /// The simulation of lane `laneIndex` of `scenario` for a run with `seed`: every consumer
    /// of a lane (frames, loop scans) gets the same one, so they agree on what happened.
    static func make(scenario: Scenario, laneIndex: Int, seed: UInt64, durationS: Double) -> LaneSimulation {
        let spec = scenario.lanes[laneIndex]
        var simulation = LaneSimulation(
            spec: spec, startHour: scenario.startHour, random: SplitMix64(seed: laneSeed(seed, laneIndex) ^ 0x7472_6166),
            appearance: SplitMix64(seed: laneSeed(seed, laneIndex) ^ 0x6C6F_6F6B))
        if let source = spec.arrivalsFrom, let sourceIndex = scenario.lanes.firstIndex(where: { $0.name == source }) {
            let crossings = truthOnly(scenario: scenario, laneIndex: sourceIndex, seed: seed, durationS: durationS)
            simulation.feed = crossings.compactMap { event in
                spec.traffic.firstIndex { $0.crossingClass == event.crossingClass && $0.direction == event.direction }
                    .map { (event.timeS, $0) }
            }
        }
        return simulation
    }

    /// Each lane's own random streams start from this.
    static func laneSeed(_ seed: UInt64, _ laneIndex: Int) -> UInt64 {
        seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(laneIndex) &* 0xBF58_476D_1CE4_E5B9
    }

    /// A lane's ground truth without rendering anything, stepped exactly as its sensor or
    /// loops step it, so it is the truth of the run that renders it.
    static func truthOnly(scenario: Scenario, laneIndex: Int, seed: UInt64, durationS: Double) -> [TruthEvent] {
        let spec = scenario.lanes[laneIndex]
        var simulation = make(scenario: scenario, laneIndex: laneIndex, seed: seed, durationS: durationS)
        let rateHz = spec.sensor?.frameRateHz ?? spec.loops?.sampleRateHz ?? 10
        var step = 0
        while simulation.stepRun(to: Double(step) / rateHz, dt: 1 / rateHz, durationS: durationS) { step += 1 }
        return simulation.truth
    }

    init(spec: LaneSpec, startHour: Double, random: SplitMix64, appearance: SplitMix64) {
        self.spec = spec
        self.startHour = startHour
        self.random = random
        self.appearance = appearance
        halfLengthM = spec.lengthM / 2
        hasTwoDirections = Set(spec.traffic.map(\.direction)).count > 1
        let outboundTowardLast = spec.orientation == .outboundTowardLastRow
        let (forwardS, backwardS) = LaneSimulation.lines(spec)
        lineS = (outbound: outboundTowardLast ? forwardS : backwardS,
                 inbound: outboundTowardLast ? backwardS : forwardS)
        nextArrivalS = []
        for index in spec.traffic.indices {
            nextArrivalS.append(nextArrival(after: 0, traffic: spec.traffic[index]))
        }
    }

    /// The counting line in the travel coordinate of traffic moving toward the last row
    /// (`forward`) and toward the first (`backward`). Under a depth sensor it is the lane's
    /// line; over loops, where the front of a vehicle meets the second loop's sensitive zone,
    /// which is when a loop pair knows a vehicle's direction.
    static func lines(_ spec: LaneSpec) -> (forward: Double, backward: Double) {
        if let loops = spec.loops {
            let fringeM = LoopRenderer.fringeM * 2 / 3
            return (loops.spacingM / 2 - fringeM, loops.spacingM / 2 - loops.lengthM - fringeM)
        }
        guard let sensor = spec.sensor else { preconditionFailure("a lane has a sensor or loops") }
        let spanM = sensor.floorSpanM
        let lineWorldM = -spanM / 2 + Double(sensor.linePermille) / 1000 * spanM
        return (lineWorldM, -lineWorldM)
    }

    /// Advances to time `t` (seconds) by one step of `dt`. With `arrivals` false, nobody new
    /// comes (the run is draining).
    mutating func step(to t: Double, dt: Double, arrivals: Bool) {
        if arrivals {
            arrive(until: t)
            admit()
        }
        move(t: t, dt: dt)
    }

    /// One sensor period of a run that ends at `durationS`: steps to `t`, with arrivals until
    /// then, and returns false once the run is over (past its end, with the road empty or
    /// `LaneFrames.drainMaxS` spent draining it).
    mutating func stepRun(to t: Double, dt: Double, durationS: Double) -> Bool {
        let draining = t >= durationS
        if draining && (agents.isEmpty || t >= durationS + LaneFrames.drainMaxS) { return false }
        step(to: t, dt: dt, arrivals: !draining)
        return true
    }

    /// The bodies on the modelled road, for the renderer.
    var placedBodies: [PlacedBody] { agents.map(\.placed) }

    // MARK: Arrivals

    private mutating func nextArrival(after t: Double, traffic: TrafficSpec) -> Double {
        let peak = traffic.peakPerHour
        guard peak > 0 else { return .infinity }
        var candidate = t
        // Thinning: draw at the peak rate, keep each draw with probability rate / peak.
        for _ in 0..<10_000 {
            candidate += random.exponential(mean: 3600 / peak)
            let hour = (startHour + candidate / 3600).truncatingRemainder(dividingBy: 24)
            if random.unit() * peak < traffic.perHour(atHour: hour) { return max(candidate, t + traffic.headwayMinS) }
        }
        return .infinity
    }

    private mutating func arrive(until t: Double) {
        if let feed {
            while feedIndex < feed.count && feed[feedIndex].timeS <= t {
                let traffic = spec.traffic[feed[feedIndex].traffic]
                for agent in makeGroup(traffic) { backlog[Int(traffic.direction.rawValue)].append(agent) }
                feedIndex += 1
            }
            return
        }
        for index in spec.traffic.indices {
            while nextArrivalS[index] <= t {
                let traffic = spec.traffic[index]
                for agent in makeGroup(traffic) {
                    backlog[Int(traffic.direction.rawValue)].append(agent)
                }
                nextArrivalS[index] = nextArrival(after: nextArrivalS[index], traffic: traffic)
            }
        }
    }

    private mutating func makeGroup(_ traffic: TrafficSpec) -> [Agent] {
        var size = 1
        var draw = random.unit()
        for (index, probability) in traffic.groupSizes.enumerated() {
            if draw < probability {
                size = index + 1
                break
            }
            draw -= probability
        }
        var abreast = size > 1 && random.chance(traffic.abreastFraction)
        let speed = random.uniform(traffic.speedMps)
        let turnBack = random.chance(traffic.turnBackRate)
        let loiter = !turnBack && random.chance(traffic.loiterRate)
        let loiterFor = random.uniform(traffic.loiterS)
        let towardLastRow = (traffic.direction == .outbound) == (spec.orientation == .outboundTowardLastRow)
        let line = traffic.direction == .outbound ? lineS.outbound : lineS.inbound
        let turnAt = line - random.uniform(0.2...1.0)
        let keepRightSign: Double = towardLastRow ? 1 : -1
        let halfWidth = spec.widthM / 2
        let baseAcross = random.uniform(0...1)
        var group: [Agent] = []
        for _ in 0..<size {
            let (body, walked) = makeBody(traffic)
            var agent = Agent(
                body: body, direction: traffic.direction, towardLastRow: towardLastRow, acrossM: 0, s: 0,
                speedMps: walked ? min(speed, Crowd.walkingSpeedMps) : speed, frontM: body.boxes.map(\.alongMax).max() ?? 0.2,
                rearM: body.boxes.map(\.alongMin).min() ?? -0.2)
            agent.halfWidthM = body.boxes.map { max(-$0.acrossMin, $0.acrossMax) }.max() ?? 0.3
            if let sensor = spec.sensor { agent.reflectance = appearance.uniform(sensor.targetReflectance) }
            if turnBack { agent.turnBackAtS = turnAt }
            if loiter {
                agent.loiterAtS = line + random.uniform(-0.3...0.3)
                agent.loiterForS = loiterFor
            }
            if let gate = spec.gate, gate.direction == traffic.direction, agent.isVehicle { agent.gated = true }
            group.append(agent)
        }
        if group[0].isVehicle || spec.loops != nil {
            // Single file; a two-way road keeps each direction to its own half. A lane with
            // loops is a lane of single file: loops cannot part two side by side.
            for index in group.indices { group[index].acrossM = hasTwoDirections ? keepRightSign * halfWidth / 2 : 0 }
            return group
        }
        // Keep right on a two-way lane (this direction's half), the whole width on a one-way
        // lane. Members abreast keep their spacing, but never closer than their bodies allow;
        // a group too wide for the lane walks one behind another.
        let band = hasTwoDirections ? halfWidth : spec.widthM
        var offsets = [group[0].halfWidthM]
        for index in group.indices.dropFirst() {
            let spacing = max(Crowd.abreastSpacingM(random: &appearance), group[index - 1].halfWidthM + group[index].halfWidthM + 0.02)
            offsets.append(offsets[index - 1] + spacing)
        }
        if abreast && offsets[offsets.count - 1] + group[group.count - 1].halfWidthM > band { abreast = false }
        for index in group.indices {
            let own = group[index].halfWidthM
            let spread = abreast ? offsets[offsets.count - 1] - offsets[0] : 0
            let slack = max(band - group[0].halfWidthM - group[group.count - 1].halfWidthM - spread, 0)
            let offset = (abreast ? offsets[index] : own) + baseAcross * slack
            let clamped = min(offset, max(band - own, 0))
            group[index].acrossM = hasTwoDirections ? keepRightSign * clamped : clamped - halfWidth
        }
        return group
    }

    /// A body for one arrival, and whether it moves at walking pace whatever its class (a
    /// bicycle pushed). People's bodies come from the appearance stream, so that the crowd can
    /// change without changing when anyone arrives.
    private mutating func makeBody(_ traffic: TrafficSpec) -> (Body, walked: Bool) {
        switch traffic.crossingClass {
        case .pedestrian:
            let stature = Crowd.stature(child: appearance.chance(traffic.childShare), random: &appearance)
            let shoulder = Crowd.shoulderWidthM(statureM: stature, random: &appearance)
            return (.person(statureM: stature, shoulderWidthM: shoulder, carrying: traffic.carrying(appearance.unit())), false)
        case .bicycle:
            let stature = Crowd.stature(child: appearance.chance(traffic.childShare), random: &appearance)
            let frame = appearance.uniform(1.5...1.9)
            if appearance.chance(traffic.pushedShare) {
                let shoulder = Crowd.shoulderWidthM(statureM: stature, random: &appearance)
                return (.pushedBicycle(walkerStatureM: stature, shoulderWidthM: shoulder, frameM: frame), true)
            }
            return (.bicycle(riderStatureM: stature, frameM: frame), false)
        case .car:
            return (random.chance(0.15)
                ? .car(lengthM: random.uniform(5.0...6.0), widthM: random.uniform(1.9...2.0), roofM: random.uniform(1.9...2.4))
                : .car(lengthM: random.uniform(3.9...4.9), widthM: random.uniform(1.7...1.9), roofM: random.uniform(1.4...1.7)), false)
        case .bus:
            return (random.chance(0.4)
                ? .articulated(trailerLengthM: random.uniform(10...13.6))
                : .bus(lengthM: random.uniform(10...13), widthM: 2.5, roofM: random.uniform(3.0...3.6)), false)
        }
    }

    /// Lets waiting arrivals onto the road where there is room at the upstream end.
    private mutating func admit() {
        for lane in 0..<2 {
            while let next = backlog[lane].first {
                var agent = next
                agent.s = -halfLengthM - agent.frontM
                guard roomToEnter(agent) else { break }
                backlog[lane].removeFirst()
                agents.append(agent)
            }
        }
    }

    // Here and in `move` and `followLimit`, agents are read and moved in place, field by field:
    // a copy of one retains its body's boxes, and a day at a checkpoint queues thousands of
    // agents for every step (copies took nearly half of a simulated day of verkhny-lars.json).
    private func roomToEnter(_ entering: Agent) -> Bool {
        for index in agents.indices where agents[index].direction == entering.direction {
            let alongGap = (agents[index].s + agents[index].rearM) - (entering.s + entering.frontM)
            let acrossGapM = abs(agents[index].acrossM - entering.acrossM)
            if entering.isVehicle || agents[index].body.crossingClass.isVehicle || spec.loops != nil {
                let gap = (spec.gate?.gapM ?? 1.5) + LaneSimulation.vehicleTimeGapS * agents[index].currentSpeedMps
                if alongGap < gap && acrossGapM < 1.0 { return false }
            } else if alongGap < LaneSimulation.walkerGapM && acrossGapM < agents[index].halfWidthM + entering.halfWidthM {
                return false
            }
        }
        return true
    }

    // MARK: Motion

    private mutating func move(t: Double, dt: Double) {
        // Front-most first in each direction, so each follower sees its leader's new position.
        agents.sort { $0.direction.rawValue != $1.direction.rawValue ? $0.direction.rawValue < $1.direction.rawValue : $0.s > $1.s }
        var index = 0
        while index < agents.count {
            // The leaders ahead have moved already, and this agent's move does not change them.
            let followS = followLimit(index: index)
            Self.advance(&agents[index], followS: followS, t: t, dt: dt, spec: spec, lineS: lineS, random: &random, truth: &truth)
            let gone = agents[index].s + agents[index].rearM > halfLengthM
                || agents[index].s + agents[index].frontM < -halfLengthM - 0.5
            if gone {
                agents.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    private static func advance(
        _ agent: inout Agent, followS: Double, t: Double, dt: Double, spec: LaneSpec,
        lineS: (outbound: Double, inbound: Double), random: inout SplitMix64, truth: inout [TruthEvent]
    ) {
        switch agent.phase {
        case .returning:
            agent.s -= agent.speedMps * dt
            return
        case .waiting(let untilS):
            if t < untilS { return }
            agent.phase = .walking
            agent.loiterAtS = nil
        case .walking:
            break
        }
        var limit = agent.s + agent.speedMps * dt
        if let turnAt = agent.turnBackAtS, limit >= turnAt {
            agent.s = turnAt
            agent.phase = .returning
            agent.turnBackAtS = nil
            return
        }
        if let loiterAt = agent.loiterAtS, limit >= loiterAt {
            limit = loiterAt
            agent.phase = .waiting(untilS: t + agent.loiterForS)
        }
        limit = min(limit, followS)
        if agent.gated && !agent.released, let gate = spec.gate {
            let stopS = gate.positionM - agent.frontM
            if limit >= stopS - 0.01 {
                limit = stopS
                if agent.s >= stopS - 0.05 {
                    if agent.serviceDoneS == nil { agent.serviceDoneS = t + random.uniform(gate.serviceS) }
                    if let done = agent.serviceDoneS, t >= done { agent.released = true }
                }
            }
        }
        let previous = agent.s
        agent.s = max(agent.s, limit)
        agent.currentSpeedMps = (agent.s - previous) / dt
        let line = agent.direction == .outbound ? lineS.outbound : lineS.inbound
        if !agent.crossed && previous < line && agent.s >= line {
            agent.crossed = true
            let fraction = agent.s > previous ? (line - previous) / (agent.s - previous) : 1
            for _ in 0..<agent.body.people {
                truth.append(TruthEvent(crossingClass: agent.body.crossingClass, direction: agent.direction,
                                        timeS: t - dt + fraction * dt, lengthM: agent.body.lengthM))
            }
        }
    }

    /// How far the agent at `index` may go without running into the one ahead of it in its direction:
    /// vehicles keep the queue gap plus a time gap behind a moving leader, whatever it is, and
    /// so do cyclists behind a vehicle; walkers keep a step behind anyone in their part of the
    /// lane.
    private func followLimit(index: Int) -> Double {
        var limit = Double.infinity
        var leader = index - 1
        while leader >= 0 {
            defer { leader -= 1 }
            guard agents[leader].direction == agents[index].direction else { break }
            if case .returning = agents[leader].phase { continue }
            let leaderRearS = agents[leader].s + agents[leader].rearM
            let acrossGapM = abs(agents[leader].acrossM - agents[index].acrossM)
            let leaderIsVehicle = agents[leader].body.crossingClass.isVehicle
            let isVehicle = agents[index].body.crossingClass.isVehicle
            if isVehicle || leaderIsVehicle || spec.loops != nil {
                guard acrossGapM < 1.0 else { continue }
                let drives = isVehicle || spec.loops != nil
                    || (leaderIsVehicle && agents[index].body.crossingClass == .bicycle)
                let gap = drives
                    ? (spec.gate?.gapM ?? 1.5) + LaneSimulation.vehicleTimeGapS * agents[leader].currentSpeedMps
                    : LaneSimulation.walkerGapM
                limit = min(limit, leaderRearS - gap - agents[index].frontM)
            } else if acrossGapM < agents[leader].halfWidthM + agents[index].halfWidthM {
                limit = min(limit, leaderRearS - LaneSimulation.walkerGapM - agents[index].frontM)
            }
            if agents[leader].s - agents[index].s > 30 { break }
        }
        return limit
    }
}
