/// Why a bus transfer failed.
public enum BusError: Error, Equatable {
    /// No device acknowledged the transfer to `register` at `address`.
    case nack(address: UInt8, register: UInt8)
}

/// The bus the sensors hang on, such as I2C: each sensor answers at its own address, and each
/// call is one transfer. Used only through generics.
public protocol SensorBus {
    /// Reads consecutive registers of the sensor at `address` from `register` on into `bytes`,
    /// in one burst.
    mutating func read(address: UInt8, register: UInt8, into bytes: inout MutableSpan<UInt8>) throws(BusError)
    /// Writes one register of the sensor at `address`.
    mutating func write(address: UInt8, register: UInt8, value: UInt8) throws(BusError)
}
