import CrossingCore
import Foundation

// Reading a scenario from its JSON (docs/scenario.md): every field checked against its range,
// each error naming the field's path.

extension Scenario {
    /// Loads and validates a scenario file. Every error names the file, the field and the reason.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        try parse(data: JSONReader.contents(of: path), file: path)
    }

    public static func parse(data: Data, file: String = "<input>") throws(ScenarioError) -> Scenario {
        var root = try JSONReader.parse(data: data, file: file)
        let name = try root.string("name")
        let site = try root.string("site")
        let durationS = try root.number("duration_s", default: 7200, in: 1...(31 * 86_400))
        let startHour = try root.number("start_hour", default: 0, in: 0...23.999)
        guard let laneItems = try root.array("lanes"), !laneItems.isEmpty else {
            throw root.fail("lanes", "must list at least one lane")
        }
        var lanes: [LaneSpec] = []
        for (index, item) in laneItems.enumerated() {
            var reader = try JSONReader(file: file, path: "lanes[\(index)]", value: item)
            lanes.append(try LaneSpec.read(&reader))
        }
        try root.finish()
        var names = Set<String>()
        for (index, lane) in lanes.enumerated() where !names.insert(lane.name).inserted {
            throw ScenarioError(file: file, field: "lanes[\(index)].name", reason: "repeats lane name '\(lane.name)'")
        }
        for index in lanes.indices {
            guard let source = lanes[index].arrivalsFrom else { continue }
            let field = "lanes[\(index)].arrivals_from"
            guard let from = lanes.first(where: { $0.name == source }), source != lanes[index].name else {
                throw ScenarioError(file: file, field: field, reason: "names no other lane ('\(source)')")
            }
            guard from.arrivalsFrom == nil else {
                throw ScenarioError(file: file, field: field, reason: "lane '\(source)' takes its own arrivals from another lane; name the first")
            }
            guard from.kind == lanes[index].kind else {
                throw ScenarioError(file: file, field: field, reason: "lane '\(source)' is a \(from.kind.rawValue), this lane a \(lanes[index].kind.rawValue)")
            }
            lanes[index].traffic = from.traffic
        }
        return Scenario(name: name, site: site, durationS: durationS, startHour: startHour, lanes: lanes)
    }
}

extension LaneSpec {
    static func read(_ reader: inout JSONReader) throws(ScenarioError) -> LaneSpec {
        let name = try reader.string("name")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw reader.fail("name", "may hold letters, digits, '-' and '_' only")
        }
        let kind = try reader.choice("kind", [("walkway", LaneKind.walkway), ("road", .road)])
        let widthM = try reader.number("width_m", in: 0.8...20)
        let lengthM = try reader.number("length_m", default: 30, in: 5...500)
        let orientation = try reader.choice(
            "orientation", default: LaneOrientation.outboundTowardLastRow,
            [("outbound_toward_last_row", .outboundTowardLastRow), ("outbound_toward_first_row", .outboundTowardFirstRow)])
        var sensor: SensorSpec?
        if var sensorReader = try reader.object("sensor") { sensor = try SensorSpec.read(&sensorReader) }
        var loops: LoopSpec?
        if var loopsReader = try reader.object("loops") { loops = try LoopSpec.read(&loopsReader) }
        if sensor == nil && loops == nil { throw reader.fail("sensor", "is required (or loops, for a loop lane)") }
        if sensor != nil && loops != nil { throw reader.fail("loops", "a lane has a sensor or loops, not both") }
        let arrivalsFrom = try reader.optionalString("arrivals_from")
        let trafficItems = try reader.array("traffic")
        if arrivalsFrom != nil && trafficItems != nil {
            throw reader.fail("traffic", "must be absent: the lane takes its traffic from arrivals_from")
        }
        if arrivalsFrom == nil && trafficItems == nil { throw reader.fail("traffic", "is required (or arrivals_from)") }
        var traffic: [TrafficSpec] = []
        for (index, item) in (trafficItems ?? []).enumerated() {
            var itemReader = try JSONReader(file: reader.file, path: reader.child("traffic[\(index)]"), value: item)
            traffic.append(try TrafficSpec.read(&itemReader))
        }
        var gate: GateSpec?
        if var gateReader = try reader.object("gate") {
            gate = try GateSpec.read(&gateReader)
        }
        try reader.finish()
        let viewM = sensor?.floorSpanM ?? (loops.map { $0.spacingM + $0.lengthM } ?? 0)
        if lengthM < viewM + 2 {
            throw reader.fail("length_m", "must exceed the sensor's view or the loops (\(reader.format(viewM.rounded())) m) by 2 m")
        }
        if let loops, kind != .road { throw reader.fail("kind", "must be road for a lane with loops (\(loops.lengthM) m loops)") }
        if let gate, gate.positionM >= lengthM / 2 {
            throw reader.fail("gate.position_m", "must lie inside the modelled length (under \(reader.format(lengthM / 2)) m)")
        }
        return LaneSpec(name: name, kind: kind, widthM: widthM, lengthM: lengthM, orientation: orientation,
                        sensor: sensor, loops: loops, traffic: traffic, gate: gate, arrivalsFrom: arrivalsFrom)
    }

    /// The counting core's configuration for a depth lane.
    public var laneConfig: LaneConfig {
        guard let sensor else { preconditionFailure("lane \(name) has loops, not a depth sensor") }
        var config = LaneConfig()
        config.side = UInt8(sensor.grid)
        config.mountHeightMm = UInt16((sensor.mountHeightM * 1000).rounded())
        config.floorSpanMm = UInt16((sensor.floorSpanM * 1000).rounded())
        config.orientation = orientation
        config.linePermille = UInt16(sensor.linePermille)
        return config
    }

    /// The loop detector's configuration for a loop lane.
    public var loopConfig: LoopConfig {
        guard let loops else { preconditionFailure("lane \(name) has a depth sensor, not loops") }
        var config = LoopConfig()
        config.sampleRateHz = UInt16(loops.sampleRateHz.rounded())
        config.loopLengthMm = UInt16((loops.lengthM * 1000).rounded())
        config.loopSpacingMm = UInt16((loops.spacingM * 1000).rounded())
        config.outboundCrossesAFirst = orientation == .outboundTowardLastRow
        return config
    }

    /// The class a count with no class (the two-zone baseline) is put under.
    public var primaryClass: CrossingClass { kind == .walkway ? .pedestrian : .car }
}

extension SensorSpec {
    static func read(_ reader: inout JSONReader) throws(ScenarioError) -> SensorSpec {
        let mountHeightM = try reader.number("mount_height_m", in: 1.5...8)
        if reader.has("fov_deg"), case let fieldOfViewDeg = try reader.number("fov_deg", in: 1...179),
            fieldOfViewDeg != DepthPart.fieldOfViewDeg {
            throw reader.fail("fov_deg", "must be 45, the part's square view (Hardware/depth-sensor.md), got \(fieldOfViewDeg)")
        }
        let grid = try reader.integer("grid", default: 8, in: 4...8)
        guard grid == 4 || grid == 8 else { throw reader.fail("grid", "must be 4 or 8, got \(grid)") }
        let frameRateHz = try reader.number("frame_rate_hz", default: 15, in: 1...60)
        guard DepthSensorEnvelope.delivers(side: UInt8(grid), frameRateMilliHz: UInt32((frameRateHz * 1000).rounded())) else {
            throw reader.fail("frame_rate_hz", "\(DepthSensorEnvelope.frameRateReason(side: UInt8(grid))), got \(frameRateHz)")
        }
        let linePermille = try reader.integer("line_permille", default: 500, in: 200...800)
        let ambient = try reader.choice("ambient", default: .dark, Ambient.allCases.map { ($0.rawValue, $0) })
        let coverageMin = try reader.number("coverage_min", default: 0.2, in: 0.1...1)
        let floorReflectance = try reader.number("floor_reflectance", default: 0.3, in: 0.02...1)
        let targetReflectance = try readRange(&reader, "target_reflectance", default: 0.15...0.8, in: 0.02...1)
        let noiseSigmaMm = try reader.number("noise_sigma_mm", default: 15, in: 0...500)
        let invalidRate = try reader.number("invalid_rate", default: 0, in: 0...1)
        var deadZones: [Int] = []
        if let items = try reader.array("dead_zones") {
            for (index, item) in items.enumerated() {
                guard let number = item as? NSNumber, !JSONReader.isBoolean(item),
                    number.doubleValue == number.doubleValue.rounded(), number.intValue >= 0, number.intValue < grid * grid
                else { throw reader.fail("dead_zones[\(index)]", "must be a zone index in 0...\(grid * grid - 1)") }
                deadZones.append(number.intValue)
            }
        }
        let droppedFrameRate = try reader.number("dropped_frame_rate", default: 0, in: 0...0.5)
        let sequenceGapRate = try reader.number("sequence_gap_rate", default: 0, in: 0...0.5)
        let spikeRate = try reader.number("spike_rate", default: 0, in: 0...0.1)
        try reader.finish()
        return SensorSpec(mountHeightM: mountHeightM, grid: grid, frameRateHz: frameRateHz, linePermille: linePermille,
                          ambient: ambient, coverageMin: coverageMin, floorReflectance: floorReflectance,
                          targetReflectance: targetReflectance, noiseSigmaMm: noiseSigmaMm, invalidRate: invalidRate,
                          deadZones: deadZones, droppedFrameRate: droppedFrameRate, sequenceGapRate: sequenceGapRate,
                          spikeRate: spikeRate)
    }
}

extension LoopSpec {
    static func read(_ reader: inout JSONReader) throws(ScenarioError) -> LoopSpec {
        let lengthM = try reader.number("length_m", default: 1.5, in: 0.5...6)
        let spacingM = try reader.number("spacing_m", default: 4, in: 1...20)
        let sampleRateHz = try reader.number("sample_rate_hz", default: 200, in: 20...2000)
        let noisePpm = try reader.number("noise_ppm", default: 3, in: 0...100)
        let driftPpm = try reader.number("drift_ppm", default: 20, in: 0...1000)
        let droppedSampleRate = try reader.number("dropped_sample_rate", default: 0, in: 0...0.5)
        var failure: Failure?
        if var failureReader = try reader.object("failure") {
            let loopB = try failureReader.choice("loop", [("a", false), ("b", true)])
            let atS = try failureReader.number("at_s", in: 0...(31 * 86_400))
            let mode = try failureReader.choice(
                "mode", [("open", FailureMode.open), ("shorted", .shorted), ("dead", .dead)])
            try failureReader.finish()
            failure = Failure(loopB: loopB, atS: atS, mode: mode)
        }
        try reader.finish()
        if spacingM <= lengthM { throw reader.fail("spacing_m", "must exceed length_m (\(reader.format(lengthM)) m)") }
        return LoopSpec(lengthM: lengthM, spacingM: spacingM, sampleRateHz: sampleRateHz, noisePpm: noisePpm,
                        driftPpm: driftPpm, droppedSampleRate: droppedSampleRate, failure: failure)
    }
}

extension TrafficSpec {
    static func read(_ reader: inout JSONReader) throws(ScenarioError) -> TrafficSpec {
        let crossingClass = try reader.choice(
            "class", [("pedestrian", CrossingClass.pedestrian), ("bicycle", .bicycle), ("car", .car), ("bus", .bus)])
        let direction = try reader.choice("direction", [("outbound", Direction.outbound), ("inbound", .inbound)])
        let rates = try readRates(&reader)
        var groupSizes = [1.0]
        if let items = try reader.array("group_sizes") {
            guard !items.isEmpty, items.count <= 4 else { throw reader.fail("group_sizes", "must list 1 to 4 probabilities") }
            groupSizes = []
            for (index, item) in items.enumerated() {
                guard let number = item as? NSNumber, !JSONReader.isBoolean(item), (0...1).contains(number.doubleValue) else {
                    throw reader.fail("group_sizes[\(index)]", "must be a probability in 0...1")
                }
                groupSizes.append(number.doubleValue)
            }
            guard abs(groupSizes.reduce(0, +) - 1) < 0.001 else { throw reader.fail("group_sizes", "must sum to 1") }
        }
        let abreastFraction = try reader.number("abreast_fraction", default: 1, in: 0...1)
        let defaultSpeed: ClosedRange<Double> = switch crossingClass {
        case .pedestrian: 1.0...1.6
        case .bicycle: 3.5...7.0
        case .car: 2.0...8.0
        case .bus: 2.0...6.0
        }
        let speedMps = try readRange(&reader, "speed_mps", default: defaultSpeed, in: 0.2...30)
        let turnBackRate = try reader.number("turn_back_rate", default: 0, in: 0...0.5)
        let loiterRate = try reader.number("loiter_rate", default: 0, in: 0...0.5)
        let loiterS = try readRange(&reader, "loiter_s", default: 30...300, in: 1...7200)
        let headwayMinS = try reader.number("headway_min_s", default: 0, in: 0...3600)
        let onFoot = crossingClass == .pedestrian || crossingClass == .bicycle
        let childShare = try reader.number(
            "children_share", default: crossingClass == .pedestrian ? 0.1 : crossingClass == .bicycle ? 0.05 : 0, in: 0...1)
        var carryingShares: [(Carrying, Double)] = []
        if var carrying = try reader.object("carrying") {
            for item in Carrying.allCases {
                let share = try carrying.number(item.rawValue, default: 0, in: 0...1)
                if share > 0 { carryingShares.append((item, share)) }
            }
            try carrying.finish()
            guard carryingShares.reduce(0, { $0 + $1.1 }) <= 1 + 1e-9 else { throw reader.fail("carrying", "shares must sum to at most 1") }
        }
        let pushedShare = try reader.number("pushed_share", default: 0, in: 0...1)
        try reader.finish()
        if !onFoot && (childShare > 0 || !carryingShares.isEmpty) {
            throw reader.fail(childShare > 0 ? "children_share" : "carrying", "applies to pedestrians and bicycles only")
        }
        if crossingClass != .pedestrian && !carryingShares.isEmpty { throw reader.fail("carrying", "applies to pedestrians only") }
        if crossingClass != .bicycle && pushedShare > 0 { throw reader.fail("pushed_share", "applies to bicycles only") }
        if groupSizes.count > 1 && (crossingClass == .car || crossingClass == .bus) {
            throw reader.fail("group_sizes", "applies to pedestrians and bicycles only")
        }
        return TrafficSpec(crossingClass: crossingClass, direction: direction, rates: rates, groupSizes: groupSizes,
                           abreastFraction: abreastFraction, speedMps: speedMps, turnBackRate: turnBackRate,
                           loiterRate: loiterRate, loiterS: loiterS, headwayMinS: headwayMinS, childShare: childShare,
                           carryingShares: carryingShares, pushedShare: pushedShare)
    }

    /// `per_hour` is either one number (all day) or a list of `{"from_hour", "per_hour"}` steps.
    private static func readRates(_ reader: inout JSONReader) throws(ScenarioError) -> [RateStep] {
        guard let value = reader.raw("per_hour") else { throw reader.fail("per_hour", "is required") }
        if let number = value as? NSNumber, !JSONReader.isBoolean(value) {
            guard number.doubleValue.isFinite, (0...20_000).contains(number.doubleValue) else {
                throw reader.fail("per_hour", "must be in 0...20000")
            }
            return [RateStep(fromHour: 0, perHour: number.doubleValue)]
        }
        guard let items = value as? [Any], !items.isEmpty else {
            throw reader.fail("per_hour", "must be a number or a list of {\"from_hour\", \"per_hour\"} steps")
        }
        var steps: [RateStep] = []
        for (index, item) in items.enumerated() {
            var stepReader = try JSONReader(file: reader.file, path: reader.child("per_hour[\(index)]"), value: item)
            let fromHour = try stepReader.number("from_hour", in: 0...23.999)
            let perHour = try stepReader.number("per_hour", in: 0...20_000)
            try stepReader.finish()
            if let last = steps.last, fromHour <= last.fromHour {
                throw stepReader.fail("from_hour", "must be later than the step before")
            }
            if steps.isEmpty && fromHour != 0 { throw stepReader.fail("from_hour", "of the first step must be 0") }
            steps.append(RateStep(fromHour: fromHour, perHour: perHour))
        }
        return steps
    }
}

extension GateSpec {
    static func read(_ reader: inout JSONReader) throws(ScenarioError) -> GateSpec {
        let direction = try reader.choice("direction", [("outbound", Direction.outbound), ("inbound", .inbound)])
        let positionM = try reader.number("position_m", in: 0...250)
        let serviceS = try readRange(&reader, "service_s", default: nil, in: 1...86_400)
        let gapM = try reader.number("gap_m", default: 1.5, in: 0.3...20)
        try reader.finish()
        return GateSpec(direction: direction, positionM: positionM, serviceS: serviceS, gapM: gapM)
    }
}

/// `{"min": a, "max": b}`, both in `range`, with min <= max.
private func readRange(
    _ reader: inout JSONReader, _ key: String, default fallback: ClosedRange<Double>?, in range: ClosedRange<Double>
) throws(ScenarioError) -> ClosedRange<Double> {
    guard var child = try reader.object(key) else {
        if let fallback { return fallback }
        throw reader.fail(key, "is required")
    }
    let low = try child.number("min", in: range)
    let high = try child.number("max", in: range)
    try child.finish()
    guard low <= high else { throw child.fail("max", "must not be below min") }
    return low...high
}
