import CrossingDevice
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// NOR flash in memory that can lose power at a chosen program or erase.
///
/// Like littlefs's emulated block device, it counts operations down to a power cut. The
/// operation that meets the cut either does not happen (atomic) or happens in part (torn): a
/// program writes only the first bytes it was given, an erase resets only the first bytes of
/// its sector. After the cut every operation fails with `.powerLost` until `powerOn()`, which
/// is a reboot: the bytes stay as the cut left them.
///
/// Backed by a file, every byte an operation changes reaches the file before the operation
/// returns, so the file holds the part as the power left it, across runs and crashes.
public struct EmulatedFlash: Flash {
    public enum Cut: Equatable, Sendable {
        /// The operation that meets the cut does not happen.
        case atomic
        /// It happens for the first `quarters` / 4 of its bytes (0...3 quarters).
        case torn(quarters: Int)
    }

    public let sectorSizeBytes: Int
    public let sectorCount: Int
    public private(set) var bytes: [UInt8]
    /// Programs and erases done since the flash was made.
    public private(set) var operations = 0
    /// Erases per sector since the flash was made, for wear.
    public private(set) var erases: [Int]
    private var cutAtOperation: Int?
    private var cut = Cut.atomic
    public private(set) var powerLost = false
    private var file: BackingFile?

    /// A blank part: every byte erased.
    public init(sectorSizeBytes: Int = 4096, sectorCount: Int = 4) {
        self.sectorSizeBytes = sectorSizeBytes
        self.sectorCount = sectorCount
        bytes = [UInt8](repeating: 0xFF, count: sectorSizeBytes * sectorCount)
        erases = [Int](repeating: 0, count: sectorCount)
    }

    /// The part kept in the file at `path`: its bytes as the last run left them, or a blank
    /// part in a new file. A file of another size is refused, as a part of another size.
    public init(path: String, sectorSizeBytes: Int = 4096, sectorCount: Int = 4) throws(FlashFileError) {
        self.init(sectorSizeBytes: sectorSizeBytes, sectorCount: sectorCount)
        let size = sectorSizeBytes * sectorCount
        let descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw FlashFileError(path: path, reason: String(cString: strerror(errno))) }
        let backing = BackingFile(descriptor: descriptor)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FlashFileError(path: path, reason: String(cString: strerror(errno))) }
        if status.st_size == 0 {
            backing.write(bytes[...], at: 0)
        } else if Int(status.st_size) == size {
            let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, size, 0) }
            guard read == size else { throw FlashFileError(path: path, reason: "short read") }
        } else {
            throw FlashFileError(path: path, reason: "holds \(status.st_size) bytes, the part has \(size)")
        }
        file = backing
    }

    /// Cuts the power at the `operation`-th program or erase from now (1 is the next).
    public mutating func cutPower(atOperation operation: Int, _ cut: Cut) {
        precondition(operation >= 1)
        cutAtOperation = operations + operation
        self.cut = cut
    }

    /// Restores power, as a reboot does; no cut is pending.
    public mutating func powerOn() {
        powerLost = false
        cutAtOperation = nil
    }

    public mutating func erase(sector: Int) throws(FlashError) {
        guard sector >= 0 && sector < sectorCount else { throw .outOfRange(offset: sector * sectorSizeBytes) }
        let base = sector * sectorSizeBytes
        let done = try begin(byteCount: sectorSizeBytes)
        for index in 0..<done { bytes[base + index] = 0xFF }
        file?.write(bytes[base..<(base + done)], at: base)
        if done == sectorSizeBytes { erases[sector] += 1 }
        if powerLost { throw .powerLost }
    }

    public mutating func program(offset: Int, bytes new: Span<UInt8>) throws(FlashError) {
        guard offset >= 0 && offset + new.count <= bytes.count else { throw .outOfRange(offset: offset) }
        for index in new.indices where bytes[offset + index] & new[index] != new[index] {
            throw .notErased(offset: offset + index)
        }
        let done = try begin(byteCount: new.count)
        for index in 0..<done { bytes[offset + index] &= new[index] }
        file?.write(bytes[offset..<(offset + done)], at: offset)
        if powerLost { throw .powerLost }
    }

    public func read(offset: Int) throws(FlashError) -> UInt8 {
        if powerLost { throw .powerLost }
        guard offset >= 0 && offset < bytes.count else { throw .outOfRange(offset: offset) }
        return bytes[offset]
    }

    /// Counts an operation of `byteCount` bytes; returns how many of them take effect.
    private mutating func begin(byteCount: Int) throws(FlashError) -> Int {
        if powerLost { throw .powerLost }
        operations += 1
        guard operations == cutAtOperation else { return byteCount }
        powerLost = true
        switch cut {
        case .atomic: return 0
        case .torn(let quarters): return byteCount * max(0, min(3, quarters)) / 4
        }
    }
}

/// A flash file that cannot be used, and why.
public struct FlashFileError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// The open file behind an `EmulatedFlash`, closed when the last copy of the part goes.
private final class BackingFile {
    let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Writes through to the file. A host that cannot write its own flash file cannot emulate
    /// the part at all, so that stops the run.
    func write(_ bytes: ArraySlice<UInt8>, at offset: Int) {
        guard !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        if written != bytes.count { fatalError("flash file write failed: \(String(cString: strerror(errno)))") }
    }
}
