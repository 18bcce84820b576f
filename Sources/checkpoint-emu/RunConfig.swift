import CheckpointCLI
import CrossingEmulation
import CrossingFirmware
import CrossingSimulation

/// Device config files for `run` and `replay`: an invalid one names the field and the reason,
/// and is a usage error (exit 2).
enum RunConfig {
    static func load(_ path: String) -> DeviceConfig {
        do throws(ScenarioError) {
            return try DeviceConfigFile.load(path: path)
        } catch {
            Terminal.fail(program, error.description, usage: true)
        }
    }
}
