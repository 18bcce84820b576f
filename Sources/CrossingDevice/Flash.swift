import CrossingCore

/// Why a flash operation did not happen.
public enum FlashError: Error, Equatable {
    /// The address or sector lies outside the part.
    case outOfRange(offset: Int)
    /// A program would have to turn a 0 bit back to 1: the byte was not erased.
    case notErased(offset: Int)
    /// The power failed; nothing more happens until the device boots again.
    case powerLost
}

/// NOR flash as the firmware sees it: erasing a sector sets its bytes to 0xFF, programming
/// can only clear bits of erased bytes, and reads are free. Used only through generics.
public protocol Flash {
    /// Bytes per erase sector.
    var sectorSizeBytes: Int { get }
    var sectorCount: Int { get }
    /// Sets every byte of `sector` to 0xFF.
    mutating func erase(sector: Int) throws(FlashError)
    /// Writes `bytes` at `offset`, in order. Every byte written must be erased first.
    mutating func program(offset: Int, bytes: Span<UInt8>) throws(FlashError)
    /// The byte at `offset`.
    func read(offset: Int) throws(FlashError) -> UInt8
}
