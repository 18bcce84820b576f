import CrossingCore

/// The sensor over a lane, with what the firmware needs to count it.
public enum LaneSensor: Equatable, Sendable {
    /// An overhead multizone depth sensor delivering frames at `frameRateMilliHz`.
    case depth(LaneConfig, frameRateMilliHz: UInt32)
    /// A pair of inductive loops read by a loop front end.
    case loops(LoopConfig)
}

/// One lane a device counts: its name (the `lane` tag of its lines), the bus address of its
/// sensor, and the sensor.
public struct DeviceLane: Equatable, Sendable {
    public var name: ShortText
    public var address: UInt8
    public var sensor: LaneSensor

    public init(name: ShortText, address: UInt8, sensor: LaneSensor) {
        self.name = name
        self.address = address
        self.sensor = sensor
    }
}

/// What a device is and what it counts: the config record it reads from flash at boot
/// (`ConfigRecord`). Documented as JSON in docs/device-config.md.
///
/// RAM bounds the lanes: at most `lanesMax`, of which at most `depthLanesMax` depth sensors
/// and `loopLanesMax` loop pairs; a checkpoint's walkway and road both ways. Each lane's state
/// is RAM a small part must hold (docs/embedded.md, "RAM").
public struct DeviceConfig: Equatable, Sendable {
    public static var lanesMax: Int { 4 }
    public static var depthLanesMax: Int { 2 }
    public static var loopLanesMax: Int { 2 }
    /// The `device` tag: unique in a fleet.
    public var device = ShortText()
    /// The `site` tag: the checkpoint.
    public var site = ShortText()
    /// Length of an interval bin, every lane alike.
    public var binIntervalS = DeviceConfig.binIntervalDefaultS
    /// Longest time counts wait in RAM before the journal commits them; a power cut loses at
    /// most this much.
    public var persistIntervalS = DeviceConfig.persistIntervalDefaultS
    /// Where the counts go, `tcp://host:port` or `http://host:port/...`; empty for nowhere.
    public var export = ShortText()
    /// The HMAC-SHA256 key the export signs with, when `keyPresent`.
    public var key = InlineArray<32, UInt8>(repeating: 0)
    public var keyPresent = false
    public private(set) var laneCount = 0
    private var laneStorage = InlineArray<4, DeviceLane>(
        repeating: DeviceLane(name: ShortText(), address: 0, sensor: .loops(LoopConfig())))

    public static var binIntervalDefaultS: UInt32 { 60 }
    public static var persistIntervalDefaultS: UInt32 { 60 }

    public init() {}

    /// Back to `DeviceConfig()`, in place (docs/embedded.md, "Stack").
    public mutating func reset() {
        device = ShortText()
        site = ShortText()
        binIntervalS = Self.binIntervalDefaultS
        persistIntervalS = Self.persistIntervalDefaultS
        export = ShortText()
        for index in key.indices { key[index] = 0 }
        keyPresent = false
        // Lanes past `laneCount` are never read.
        laneCount = 0
    }

    /// Adds a lane; false when `lanesMax` are already there.
    public mutating func append(_ lane: DeviceLane) -> Bool {
        guard laneCount < Self.lanesMax else { return false }
        laneStorage[laneCount] = lane
        laneCount += 1
        return true
    }

    public static func == (lhs: DeviceConfig, rhs: DeviceConfig) -> Bool {
        guard lhs.device == rhs.device, lhs.site == rhs.site, lhs.binIntervalS == rhs.binIntervalS,
            lhs.persistIntervalS == rhs.persistIntervalS, lhs.export == rhs.export, lhs.keyPresent == rhs.keyPresent,
            lhs.laneCount == rhs.laneCount
        else { return false }
        for index in 0..<32 where lhs.key[index] != rhs.key[index] { return false }
        for index in 0..<lhs.laneCount where lhs.laneStorage[index] != rhs.laneStorage[index] { return false }
        return true
    }

    @_addressableSelf public func lane(_ index: Int) -> DeviceLane {
        precondition(index >= 0 && index < laneCount)
        return laneStorage[index]
    }

    /// The lane's core configuration with the device's bin interval.
    @_addressableSelf func depthConfig(_ index: Int) -> LaneConfig? {
        guard case .depth(var config, _) = lane(index).sensor else { return nil }
        config.binIntervalMs = binIntervalS &* 1000
        return config
    }

    @_addressableSelf func loopConfig(_ index: Int) -> LoopConfig? {
        guard case .loops(var config) = lane(index).sensor else { return nil }
        config.binIntervalMs = binIntervalS &* 1000
        return config
    }

    /// The first field that is wrong, or nil when a device can run on this configuration.
    /// Addressable, so that a device at boot checks its config where it lies.
    @_addressableSelf public func validate() -> ConfigError? {
        if !device.isTagSafe {
            return ConfigError(field: "device", reason: "must not be empty, nor hold a control byte or a backslash")
        }
        for index in 0..<device.count where device[index] == 0x20 || device[index] == 0x2C || device[index] == 0x3D {
            return ConfigError(field: "device", reason: "must not hold a space, a comma or an equals sign")
        }
        if !site.isTagSafe {
            return ConfigError(field: "site", reason: "must not be empty, nor hold a control byte or a backslash")
        }
        if binIntervalS < 1 || binIntervalS > 86_400 {
            return ConfigError(field: "bin_interval_s", reason: "must be 1...86400")
        }
        if persistIntervalS < 1 || persistIntervalS > 3600 {
            return ConfigError(field: "persist_interval_s", reason: "must be 1...3600")
        }
        if !export.isEmpty && !export.hasPrefix("tcp://") && !export.hasPrefix("http://") {
            return ConfigError(field: "export", reason: "must start with tcp:// or http://")
        }
        if export.hasPrefix("tcp://") && !keyPresent {
            return ConfigError(field: "key", reason: "is required to export to tcp://, which signs every batch")
        }
        if laneCount == 0 { return ConfigError(field: "lanes", reason: "must hold at least one lane") }
        var depthLanes = 0
        for index in 0..<laneCount {
            let spec = laneStorage[index]
            if !spec.name.isTagSafe {
                return ConfigError(field: "lanes.name", reason: "must not be empty, nor hold a control byte or a backslash")
            }
            if spec.address < 0x08 || spec.address > 0x77 {
                return ConfigError(field: "lanes.address", reason: "must be a 7-bit bus address, 8...119")
            }
            for other in 0..<index {
                if laneStorage[other].name == spec.name {
                    return ConfigError(field: "lanes.name", reason: "must be unique on the device")
                }
                if laneStorage[other].address == spec.address {
                    return ConfigError(field: "lanes.address", reason: "must be unique on the bus")
                }
            }
            switch spec.sensor {
            case .depth(let lane, let frameRateMilliHz):
                depthLanes += 1
                if !DepthSensorEnvelope.delivers(side: lane.side, frameRateMilliHz: frameRateMilliHz) {
                    return ConfigError(field: "lanes.sensor.frame_rate_hz", reason: DepthSensorEnvelope.frameRateReason(side: lane.side))
                }
                if let error = depthConfig(index)?.validate() { return error }
            case .loops:
                if let error = loopConfig(index)?.validate() { return error }
            }
        }
        if depthLanes > Self.depthLanesMax {
            return ConfigError(field: "lanes", reason: "may hold at most 2 depth sensors")
        }
        if laneCount - depthLanes > Self.loopLanesMax {
            return ConfigError(field: "lanes", reason: "may hold at most 2 loop pairs")
        }
        return nil
    }
}
