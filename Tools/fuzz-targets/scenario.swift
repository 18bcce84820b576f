import CrossingSimulation
import Foundation

/// libFuzzer target: the scenario loader (docs/scenario.md) on any bytes. It must return a
/// scenario or an error naming the input and saying what is wrong.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do throws(ScenarioError) {
        let scenario = try Scenario.parse(data: Data(bytes: data, count: size), file: "fuzz.json")
        precondition(!scenario.lanes.isEmpty, "a scenario without lanes")
    } catch {
        precondition(error.file == "fuzz.json" && !error.reason.isEmpty, "an error that does not say where or what: \(error)")
    }
    return 0
}
