import CrossingEmulation
import CrossingFirmware
import CrossingSimulation
import Foundation

/// libFuzzer target: the device config loader (docs/device-config.md) on any bytes. It must
/// return a config that validates, or an error naming the input and saying what is wrong.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeviceConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do throws(ScenarioError) {
        let config = try DeviceConfigFile.parse(data: Data(bytes: data, count: size), file: "fuzz.json")
        precondition(config.validate() == nil, "a loaded config that does not validate")
    } catch {
        precondition(error.file == "fuzz.json" && !error.reason.isEmpty, "an error that does not say where or what: \(error)")
    }
    return 0
}
