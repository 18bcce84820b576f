// ARM semihosting through QEMU: the board's file and console I/O during a HIL run. The calls
// and their argument blocks are those of ARM's "Semihosting for AArch32 and AArch64".
import CrossingFirmware

enum Semihosting {
    static let open: Int32 = 0x01
    static let write: Int32 = 0x05
    static let read: Int32 = 0x06
    static let getCommandLine: Int32 = 0x15
    static let write0: Int32 = 0x04

    /// Opens `path` (NUL-terminated in `bytes`) with ISO C mode `mode` (1 "rb", 4 "w"); nil on failure.
    static func open(_ bytes: UnsafeMutablePointer<UInt8>, length: Int, mode: UInt32) -> UInt32? {
        var block: (UInt32, UInt32, UInt32) = (UInt32(UInt(bitPattern: bytes)), mode, UInt32(length))
        let handle = withUnsafeMutablePointer(to: &block) { board_semihost(open, UnsafeMutableRawPointer($0)) }
        return handle < 0 ? nil : UInt32(handle)
    }

    /// Reads up to `count` bytes into `buffer`: how many came (0 at the end of the file).
    static func read(_ handle: UInt32, _ buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        var block: (UInt32, UInt32, UInt32) = (handle, UInt32(UInt(bitPattern: buffer)), UInt32(count))
        // SYS_READ answers with the number of bytes NOT read.
        let missing = withUnsafeMutablePointer(to: &block) { board_semihost(read, UnsafeMutableRawPointer($0)) }
        return count - Int(missing)
    }

    /// Writes `count` bytes from `buffer`.
    static func write(_ handle: UInt32, _ buffer: UnsafePointer<UInt8>, count: Int) {
        var block: (UInt32, UInt32, UInt32) = (handle, UInt32(UInt(bitPattern: buffer)), UInt32(count))
        _ = withUnsafeMutablePointer(to: &block) { board_semihost(write, UnsafeMutableRawPointer($0)) }
    }

    /// Writes a NUL-terminated text to the host's stderr (SYS_WRITE0), for diagnostics that
    /// must stay out of the compared output.
    static func diagnose(_ text: UnsafePointer<UInt8>) {
        _ = board_semihost(write0, UnsafeMutableRawPointer(mutating: text))
    }
}

/// The host's stdout (`:tt` opened for writing), buffered so a line is one semihosting trap,
/// not one per byte. The buffer is small: the output is copied into the session at boot.
struct SemihostingOutput: HILOutput {
    private let handle: UInt32
    private var buffer = InlineArray<128, UInt8>(repeating: 0)
    private var count = 0

    init?() {
        var name: InlineArray<4, UInt8> = [0x3A, 0x74, 0x74, 0]  // ":tt"
        var span = name.mutableSpan
        guard let handle = span.withUnsafeMutableBufferPointer({ Semihosting.open($0.baseAddress!, length: 3, mode: 4) })
        else { return nil }
        self.handle = handle
    }

    mutating func write(_ bytes: Span<UInt8>) {
        for index in bytes.indices {
            if count == buffer.count { flush() }
            buffer[count] = bytes[index]
            count += 1
        }
    }

    mutating func flush() {
        guard count > 0 else { return }
        let handle = self.handle
        let count = self.count
        buffer.span.withUnsafeBufferPointer { Semihosting.write(handle, $0.baseAddress!, count: count) }
        self.count = 0
    }
}
