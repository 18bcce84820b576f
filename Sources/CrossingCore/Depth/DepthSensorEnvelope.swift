/// What a depth sensor of the VL53L8CX/VL53L5CX class can deliver, so that configs, frame
/// files and scenes keep to the real part (Hardware/depth-sensor.md, "The part's envelope").
public enum DepthSensorEnvelope {
    /// The slowest frame rate the part's ranging frequency allows, in millihertz.
    public static var frameRateMinMilliHz: UInt32 { 1000 }

    /// The fastest frame rate at a grid of `side` x `side`, in millihertz: 15 Hz at 8x8, 60 Hz
    /// at 4x4.
    public static func frameRateMaxMilliHz(side: UInt8) -> UInt32 { side == 8 ? 15_000 : 60_000 }

    /// Whether the part delivers `side` x `side` frames at `frameRateMilliHz`.
    public static func delivers(side: UInt8, frameRateMilliHz: UInt32) -> Bool {
        frameRateMilliHz >= frameRateMinMilliHz && frameRateMilliHz <= frameRateMaxMilliHz(side: side)
    }

    /// Why a rate outside the envelope is refused, for a config error.
    public static func frameRateReason(side: UInt8) -> StaticString {
        side == 8 ? "must be 1...15 at 8x8 (the part's limit)" : "must be 1...60 at 4x4 (the part's limit)"
    }
}
