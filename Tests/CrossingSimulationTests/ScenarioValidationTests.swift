import CrossingSimulation
import Foundation
import Testing

/// Every scenario field is checked: each case breaks one field of a valid document and expects
/// the error to name that field.
@Suite("Scenario validation")
struct ScenarioValidationTests {
    static func valid() -> [String: Any] {
        [
            "name": "t", "site": "test", "duration_s": 600, "start_hour": 6,
            "lanes": [[
                "name": "walkway", "kind": "walkway", "width_m": 2.2, "length_m": 14,
                "orientation": "outbound_toward_last_row",
                "sensor": [
                    "mount_height_m": 4.0, "grid": 8, "frame_rate_hz": 15, "line_permille": 500,
                    "noise_sigma_mm": 15, "invalid_rate": 0.01, "dead_zones": [0, 63], "dropped_frame_rate": 0.01,
                    "sequence_gap_rate": 0.001, "spike_rate": 0.0, "ambient": "dark", "coverage_min": 0.2,
                    "floor_reflectance": 0.3, "target_reflectance": ["min": 0.15, "max": 0.8],
                ] as [String: Any],
                "traffic": [[
                    "class": "pedestrian", "direction": "outbound",
                    "per_hour": [["from_hour": 0, "per_hour": 50], ["from_hour": 6, "per_hour": 120]],
                    "group_sizes": [0.8, 0.2], "abreast_fraction": 0.5, "speed_mps": ["min": 1.0, "max": 1.5],
                    "turn_back_rate": 0.02, "loiter_rate": 0.01, "loiter_s": ["min": 10, "max": 60],
                ] as [String: Any]],
                "gate": ["direction": "outbound", "position_m": 3, "service_s": ["min": 5, "max": 10], "gap_m": 1.0] as [String: Any],
            ] as [String: Any]],
        ]
    }

    static func load(_ document: [String: Any]) throws(ScenarioError) -> Scenario {
        // Building the test document from literals cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: document)
        return try Scenario.parse(data: data, file: "t.json")
    }

    /// Sets `value` at a path like ["lanes", 0, "sensor", "grid"]; nil removes the key.
    static func setting(_ path: [Any], to value: Any?, in document: Any) -> Any {
        guard let key = path.first else { return value as Any }
        let rest = Array(path.dropFirst())
        if let index = key as? Int, var array = document as? [Any] {
            array[index] = setting(rest, to: value, in: array[index])
            return array
        }
        var object = document as! [String: Any]
        let name = key as! String
        if rest.isEmpty && value == nil {
            object.removeValue(forKey: name)
        } else {
            object[name] = setting(rest, to: value, in: object[name] as Any)
        }
        return object
    }

    @Test("The valid document loads, with every field read")
    func validLoads() throws {
        let scenario = try Self.load(Self.valid())
        #expect(scenario.lanes.count == 1)
        let lane = scenario.lanes[0]
        #expect(lane.sensor?.deadZones == [0, 63])
        #expect(lane.traffic[0].rates.count == 2)
        #expect(lane.traffic[0].perHour(atHour: 7) == 120)
        #expect(lane.traffic[0].perHour(atHour: 5) == 50)
        #expect(lane.gate?.serviceS == 5...10)
        #expect(lane.laneConfig.validate() == nil)
    }

    nonisolated(unsafe) static let cases: [(path: [Any], value: Any?, field: String, reason: String)] = [
        (["name"], nil, "name", "is required"),
        (["site"], 3, "site", "must be a non-empty string"),
        (["duration_s"], 0, "duration_s", "must be in"),
        (["start_hour"], 24, "start_hour", "must be in"),
        (["lanes"], [Any](), "lanes", "at least one lane"),
        (["extra"], 1, "extra", "unknown field"),
        (["lanes", 0, "name"], "a b", "lanes[0].name", "letters, digits"),
        (["lanes", 0, "kind"], "river", "lanes[0].kind", "must be one of walkway, road"),
        (["lanes", 0, "width_m"], 0.1, "lanes[0].width_m", "must be in"),
        (["lanes", 0, "length_m"], 5, "lanes[0].length_m", "must exceed the sensor's view"),
        (["lanes", 0, "orientation"], "north", "lanes[0].orientation", "must be one of"),
        (["lanes", 0, "sensor"], nil, "lanes[0].sensor", "is required"),
        (["lanes", 0, "sensor", "mount_height_m"], 20, "lanes[0].sensor.mount_height_m", "must be in"),
        // The part's view is 45 degrees square, nothing else (Hardware/depth-sensor.md).
        (["lanes", 0, "sensor", "fov_deg"], 60, "lanes[0].sensor.fov_deg", "must be 45, the part's square view"),
        (["lanes", 0, "sensor", "grid"], 6, "lanes[0].sensor.grid", "must be 4 or 8"),
        (["lanes", 0, "sensor", "frame_rate_hz"], 0, "lanes[0].sensor.frame_rate_hz", "must be in"),
        // The part ranges 8x8 at 15 Hz at most (Hardware/depth-sensor.md).
        (["lanes", 0, "sensor", "frame_rate_hz"], 30, "lanes[0].sensor.frame_rate_hz", "must be 1...15 at 8x8 (the part's limit), got 30.0"),
        (["lanes", 0, "sensor", "line_permille"], 900, "lanes[0].sensor.line_permille", "must be in"),
        (["lanes", 0, "sensor", "noise_sigma_mm"], -1, "lanes[0].sensor.noise_sigma_mm", "must be in"),
        (["lanes", 0, "sensor", "invalid_rate"], 2, "lanes[0].sensor.invalid_rate", "must be in"),
        (["lanes", 0, "sensor", "dead_zones"], [64], "lanes[0].sensor.dead_zones[0]", "zone index"),
        (["lanes", 0, "sensor", "dropped_frame_rate"], 0.9, "lanes[0].sensor.dropped_frame_rate", "must be in"),
        (["lanes", 0, "sensor", "sequence_gap_rate"], true, "lanes[0].sensor.sequence_gap_rate", "must be a number"),
        (["lanes", 0, "sensor", "spike_rate"], 0.5, "lanes[0].sensor.spike_rate", "must be in"),
        (["lanes", 0, "sensor", "range_max_m"], 12, "lanes[0].sensor.range_max_m", "unknown field"),
        (["lanes", 0, "sensor", "ambient"], "sunny", "lanes[0].sensor.ambient", "must be one of"),
        (["lanes", 0, "sensor", "coverage_min"], 0.05, "lanes[0].sensor.coverage_min", "must be in"),
        (["lanes", 0, "sensor", "floor_reflectance"], 1.5, "lanes[0].sensor.floor_reflectance", "must be in"),
        (["lanes", 0, "sensor", "target_reflectance", "max"], 0.1, "lanes[0].sensor.target_reflectance.max", "must not be below min"),
        (["lanes", 0, "sensor", "colour"], "red", "lanes[0].sensor.colour", "unknown field"),
        (["lanes", 0, "traffic"], nil, "lanes[0].traffic", "is required"),
        (["lanes", 0, "traffic", 0, "class"], "tram", "lanes[0].traffic[0].class", "must be one of"),
        (["lanes", 0, "traffic", 0, "direction"], "up", "lanes[0].traffic[0].direction", "must be one of"),
        (["lanes", 0, "traffic", 0, "per_hour"], "many", "lanes[0].traffic[0].per_hour", "must be a number or a list"),
        (["lanes", 0, "traffic", 0, "per_hour", 1, "from_hour"], 0, "lanes[0].traffic[0].per_hour[1].from_hour", "later than"),
        (["lanes", 0, "traffic", 0, "per_hour", 0, "per_hour"], 30_000, "lanes[0].traffic[0].per_hour[0].per_hour", "must be in"),
        (["lanes", 0, "traffic", 0, "group_sizes"], [0.5, 0.2], "lanes[0].traffic[0].group_sizes", "must sum to 1"),
        (["lanes", 0, "traffic", 0, "abreast_fraction"], 1.5, "lanes[0].traffic[0].abreast_fraction", "must be in"),
        (["lanes", 0, "traffic", 0, "speed_mps"], ["min": 2.0, "max": 1.0], "lanes[0].traffic[0].speed_mps.max", "must not be below min"),
        (["lanes", 0, "traffic", 0, "turn_back_rate"], 0.9, "lanes[0].traffic[0].turn_back_rate", "must be in"),
        (["lanes", 0, "traffic", 0, "loiter_rate"], -0.1, "lanes[0].traffic[0].loiter_rate", "must be in"),
        (["lanes", 0, "traffic", 0, "loiter_s"], ["min": 10], "lanes[0].traffic[0].loiter_s.max", "is required"),
        (["lanes", 0, "gate", "direction"], "sideways", "lanes[0].gate.direction", "must be one of"),
        (["lanes", 0, "gate", "position_m"], 300, "lanes[0].gate.position_m", "must be in"),
        (["lanes", 0, "gate", "service_s"], nil, "lanes[0].gate.service_s", "is required"),
        (["lanes", 0, "gate", "gap_m"], 0.1, "lanes[0].gate.gap_m", "must be in"),
        (["lanes", 0, "arrivals_from"], "walkway", "lanes[0].traffic", "must be absent"),
    ]

    @Test("arrivals_from names another lane, one with traffic of its own and of the same kind")
    func arrivalsFrom() throws {
        var fed = (Self.valid()["lanes"] as! [[String: Any]])[0]
        fed["name"] = "queue"
        fed["traffic"] = nil
        fed["arrivals_from"] = "walkway"
        var document = Self.valid()
        document["lanes"] = (document["lanes"] as! [[String: Any]]) + [fed]
        let scenario = try Self.load(document)
        #expect(scenario.lanes[1].arrivalsFrom == "walkway" && scenario.lanes[1].traffic.count == scenario.lanes[0].traffic.count)
        for (source, reason) in [("nowhere", "names no other lane"), ("queue", "names no other lane")] {
            fed["arrivals_from"] = source
            document["lanes"] = [(Self.valid()["lanes"] as! [[String: Any]])[0], fed]
            #expect(throws: ScenarioError(file: "t.json", field: "lanes[1].arrivals_from", reason: "\(reason) ('\(source)')")) {
                try Self.load(document)
            }
        }
    }

    @Test("Each broken field is named with its reason", arguments: 0..<cases.count)
    func brokenField(index: Int) {
        let testCase = Self.cases[index]
        let document = Self.setting(testCase.path, to: testCase.value, in: Self.valid()) as! [String: Any]
        do {
            _ = try Self.load(document)
            Issue.record("\(testCase.field) was accepted")
        } catch {
            #expect(error.field == testCase.field)
            #expect(error.reason.contains(testCase.reason), "\(error.reason)")
            #expect(error.file == "t.json")
        }
    }

    @Test("Not JSON at all is an error naming the file")
    func notJSON() {
        #expect(throws: ScenarioError.self) { try Scenario.parse(data: Data("{".utf8), file: "x.json") }
        #expect(throws: ScenarioError(file: "/nonexistent.json", field: "", reason: "cannot be read")) {
            try Scenario.load(path: "/nonexistent.json")
        }
    }

    @Test("Every committed scenario loads", arguments: [
        "suite/sparse-walkers", "suite/dense-two-way", "suite/bicycles-and-walkers", "suite/car-stop-and-go",
        "suite/bus-truck", "suite/noisy-mixed", "suite/loop-free-flow", "suite/loop-tailgating",
        "suite/loop-stop-and-go", "suite/loop-trucks", "suite/loop-failing",
        "sites/verkhny-lars", "sites/oral-uralsk", "sites/torfyanka", "sites/kyakhta", "sites/verkhny-lars-queue",
    ])
    func committedScenariosLoad(name: String) throws {
        let scenario = try Scenario.load(path: Repository.path("Hardware/scenarios/\(name).json"))
        #expect(!scenario.lanes.isEmpty)
        for lane in scenario.lanes {
            #expect(lane.sensor == nil ? lane.loopConfig.validate() == nil : lane.laneConfig.validate() == nil)
        }
    }
}

/// Files of the checkout, wherever the tests run from.
enum Repository {
    static func path(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }
}
