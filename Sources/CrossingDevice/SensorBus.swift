/// Why a bus transfer failed.
public enum BusError: Error, Equatable {
    /// The device did not acknowledge the transfer at `register`.
    case nack(register: UInt8)
}

/// A sensor's registers over a bus such as I2C or SPI: each call is one transfer. Used only
/// through generics.
public protocol SensorBus {
    /// Reads consecutive registers from `register` on into `bytes`, in one burst.
    mutating func read(register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError)
    /// Writes one register.
    mutating func write(register: UInt8, value: UInt8) throws(BusError)
}
