/// What the loop front end says about one channel's oscillator.
public enum LoopStatus: UInt8, BitwiseCopyable, Sendable {
    case ok = 0
    /// The oscillator does not start: the loop or its lead-in is broken.
    case open = 1
    /// The frequency is out of range: the loop is shorted to itself or to ground.
    case shorted = 2
}

/// One sample of one loop channel.
public struct LoopReading: BitwiseCopyable, Sendable, Equatable {
    /// Rise of the oscillator frequency above its rest value, in parts per million. Metal over
    /// the loop lowers its inductance and raises the frequency, so vehicles read positive.
    public var shiftPpm: Int32
    /// When this channel was sampled. A front end scans its channels one after another, so the
    /// two loops of a pair are sampled at different instants; direction is judged from these
    /// times, never from the order the readings arrive in.
    public var timestampUs: UInt64
    public var status: LoopStatus

    public init(shiftPpm: Int32, timestampUs: UInt64, status: LoopStatus = .ok) {
        self.shiftPpm = shiftPpm
        self.timestampUs = timestampUs
        self.status = status
    }
}

/// The header of one loop-pair sample: both channels of a lane, read in one scan.
public struct LoopFrameHeader: BitwiseCopyable, Sendable, Equatable {
    /// Scan counter. Must increase by one per scan; a jump is a sequence gap.
    public var sequence: UInt32
    /// Start of the scan on the device's monotonic clock. Must strictly increase.
    public var timestampUs: UInt64

    public init(sequence: UInt32, timestampUs: UInt64) {
        self.sequence = sequence
        self.timestampUs = timestampUs
    }
}

/// The finer class a loop pair tells from a vehicle's length, kept for reports. Counts use
/// `crossingClass`: vans count as cars; buses, trucks and trucks with trailers as buses.
public enum LoopVehicleClass: UInt8, BitwiseCopyable, Sendable {
    case bicycleOrMotorcycle = 0
    case car = 1
    case van = 2
    /// Buses and rigid trucks.
    case bus = 3
    case truckWithTrailer = 4

    public var crossingClass: CrossingClass {
        switch self {
        case .bicycleOrMotorcycle: .bicycle
        case .car, .van: .car
        case .bus, .truckWithTrailer: .bus
        }
    }

    public var name: StaticString {
        switch self {
        case .bicycleOrMotorcycle: "bicycle-motorcycle"
        case .car: "car"
        case .van: "van"
        case .bus: "bus"
        case .truckWithTrailer: "truck-with-trailer"
        }
    }
}

/// One vehicle a loop pair counted: the crossing, and what the loops measured of it.
public struct LoopVehicle: BitwiseCopyable, Sendable, Equatable {
    public var crossing: CrossingEvent
    public var vehicleClass: LoopVehicleClass
    /// Estimated length, or 0 when only one loop works (no speed, so no length).
    public var lengthMm: UInt32
    /// Speed while moving, or 0 when only one loop works.
    public var speedMmPerS: UInt32
}
