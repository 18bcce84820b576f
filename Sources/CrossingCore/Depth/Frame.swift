/// How a zone's reading came out of the sensor.
public enum ZoneStatus: UInt8, BitwiseCopyable, Sendable {
    /// A target was ranged; the distance is usable.
    case valid = 0
    /// No usable target (sigma or signal failure, sunlight, no return). Distance is meaningless.
    case invalid = 1
    /// The return saturated the receiver (very close or very reflective). Distance is meaningless.
    case saturated = 2
    /// The zone ranged and found nothing nearer than its reach: an empty zone whose floor is
    /// beyond range (a dark floor, daylight), not a failure. The part reports it as status 255
    /// or no target detected (Hardware/depth-sensor.md).
    case noTarget = 3
}

/// One zone of a multizone time-of-flight frame.
public struct ZoneReading: BitwiseCopyable, Sendable, Equatable {
    /// Distance from the sensor to the zone's nearest target, perpendicular to the sensor's face
    /// (the part converts its radial measurement on chip, Hardware/depth-sensor.md).
    public var distanceMm: UInt16
    public var status: ZoneStatus

    public init(distanceMm: UInt16, status: ZoneStatus = .valid) {
        self.distanceMm = distanceMm
        self.status = status
    }
}

/// The header of one depth frame. The zones travel separately, as a `Span<ZoneReading>`
/// in row-major order: row 0 first, rows run along the lane, columns across it.
public struct FrameHeader: BitwiseCopyable, Sendable, Equatable {
    /// Sensor frame counter. Must increase by one per frame; a jump is a sequence gap.
    public var sequence: UInt32
    /// Capture time on the device's monotonic clock. Must strictly increase.
    public var timestampUs: UInt64
    /// Grid side: 4 (4x4 mode) or 8 (8x8 mode).
    public var side: UInt8

    public init(sequence: UInt32, timestampUs: UInt64, side: UInt8) {
        self.sequence = sequence
        self.timestampUs = timestampUs
        self.side = side
    }
}

/// Why a frame was rejected. A rejected frame leaves the lane's state untouched.
public enum FrameError: Error, Equatable, Sendable {
    /// The header's side is not one the core supports (4 or 8).
    case sideUnsupported(side: UInt8)
    /// The header's side differs from the lane's configured grid.
    case sideMismatch(expected: UInt8, got: UInt8)
    /// The zone span does not hold side x side readings.
    case zoneCount(expected: Int, got: Int)
    /// The same sequence number as the previous accepted frame.
    case sequenceRepeated(sequence: UInt32)
    /// A sequence number behind the previous accepted frame.
    case sequenceBackwards(last: UInt32, got: UInt32)
    /// A timestamp not after the previous accepted frame's.
    case timestampNotIncreasing(lastUs: UInt64, gotUs: UInt64)
}
