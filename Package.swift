// swift-tools-version: 6.2
import PackageDescription

// Module map and rules: ../shared/ARCHITECTURE.md, summarised in README.md.
// CrossingCore is compiled for Cortex-M as Embedded Swift by Tools/check-embedded,
// so it imports nothing but the standard library.
/// `@_addressableSelf` on `DeviceConfig`'s lane readers and `validate()` passes the config by
/// address, where Swift would otherwise copy all of it onto the stack (about 1 KB of the board's
/// stack while counting and 1.8 KB while booting; docs/embedded.md, "Stack").
let deviceSettings: [SwiftSetting] = [.enableExperimentalFeature("AddressableParameters")]

let package = Package(
    name: "checkpoint-counter",
    products: [
        .library(name: "CrossingCore", targets: ["CrossingCore"]),
        .library(name: "CrossingDevice", targets: ["CrossingDevice"]),
        .library(name: "CrossingFirmware", targets: ["CrossingFirmware"]),
        .library(name: "CrossingEmulation", targets: ["CrossingEmulation"]),
        .library(name: "CrossingSimulation", targets: ["CrossingSimulation"]),
        .library(name: "CrossingCollector", targets: ["CrossingCollector"]),
        .executable(name: "checkpoint-emu", targets: ["checkpoint-emu"]),
        .executable(name: "checkpoint-bench", targets: ["checkpoint-bench"]),
        .executable(name: "checkpoint-collector", targets: ["checkpoint-collector"]),
        .executable(name: "checkpoint-hil", targets: ["checkpoint-hil"]),
        .executable(name: "checkpoint-dst", targets: ["checkpoint-dst"]),
    ],
    targets: [
        .target(name: "CrossingCore", swiftSettings: deviceSettings),
        // Device modules too: Embedded Swift, nothing but the standard library and each other.
        .target(name: "CrossingDevice", dependencies: ["CrossingCore"], swiftSettings: deviceSettings),
        .target(name: "CrossingFirmware", dependencies: ["CrossingCore", "CrossingDevice"], swiftSettings: deviceSettings),
        // Emulated hardware, fed by the simulator or by recorded frames.
        .target(
            name: "CrossingEmulation",
            dependencies: ["CrossingCore", "CrossingDevice", "CrossingFirmware", "CrossingSimulation"]
        ),
        .target(name: "CrossingSimulation", dependencies: ["CrossingCore"]),
        // The host collector: parser, write-ahead log, ingest servers, reports, relay.
        .target(name: "CrossingCollector", dependencies: ["CrossingCore", "CLinux"]),
        // <sys/epoll.h> for the collector's event loop, which the toolchain's Glibc leaves out.
        .target(name: "CLinux"),
        // Shared by the command-line tools: options, progress line, tables, JSON, SIGINT.
        .target(name: "CheckpointCLI"),
        // Replaces malloc in the process that links it, to count allocations (tests, bench).
        .target(name: "AllocationCounter"),
        .executableTarget(
            name: "checkpoint-emu",
            dependencies: [
                "CrossingCore", "CrossingDevice", "CrossingFirmware", "CrossingEmulation", "CrossingSimulation", "CheckpointCLI",
            ]
        ),
        .executableTarget(
            name: "checkpoint-hil",
            dependencies: ["CrossingCore", "CrossingFirmware", "CrossingEmulation", "CheckpointCLI"]
        ),
        .executableTarget(
            name: "checkpoint-dst",
            dependencies: [
                "CrossingCore", "CrossingDevice", "CrossingFirmware", "CrossingEmulation", "CrossingSimulation", "CrossingCollector",
                "CheckpointCLI",
            ]
        ),
        .executableTarget(
            name: "checkpoint-collector",
            dependencies: ["CrossingCollector", "CheckpointCLI"]
        ),
        .executableTarget(
            name: "checkpoint-bench",
            dependencies: [
                "CrossingCore", "CrossingSimulation", "CheckpointCLI", "AllocationCounter", "CrossingCollector", "CrossingFirmware",
                "CrossingEmulation",
            ]
        ),
        // What tests share: finding the system programs and peer services some of them need.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "CrossingCoreTests",
            dependencies: ["CrossingCore", "AllocationCounter"]
        ),
        .testTarget(
            name: "CrossingFirmwareTests",
            dependencies: ["CrossingCore", "CrossingDevice", "CrossingFirmware", "CrossingEmulation", "CrossingSimulation", "TestSupport"]
        ),
        .testTarget(
            name: "CrossingCollectorTests",
            dependencies: ["CrossingCore", "CrossingCollector", "CrossingSimulation", "CrossingFirmware", "CrossingEmulation", "TestSupport"],
            // Read by path (#filePath), not bundled.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CrossingSimulationTests",
            dependencies: ["CrossingCore", "CrossingSimulation"]
        ),
        // The seeds checkpoint-dst failed on, kept as regression tests of the whole system.
        .testTarget(
            name: "CheckpointDSTTests",
            dependencies: ["checkpoint-dst"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
