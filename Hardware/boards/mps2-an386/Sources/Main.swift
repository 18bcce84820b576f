// The mps2-an386 board's HIL firmware: CrossingFirmware's device counting a recorded frame
// file that QEMU's semihosting hands it, exactly as every other rig does (HILSession), its
// export lines and totals written to the host's stdout. Usage, as QEMU runs it:
//
//   qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none -kernel firmware.elf \
//     -semihosting-config enable=on,target=native,arg=firmware,arg=FRAMES
//
// Exit status: 0 the run ended well, 1 the frames were refused or the run failed (the output's
// last line says why), 2 no fixture could be opened, 70 a fault (a trap) or a stack that
// overflowed its reserve.
import CrossingCore
import CrossingDevice
import CrossingFirmware

typealias BoardSession = HILSession<MemoryFlash, FixtureBus, SemihostingOutput>

@_cdecl("main")
func boardMain(_ argc: Int32, _ argv: UnsafeMutableRawPointer?) -> Int32 {
    let status = Board.run()
    Board.report("firmware: stack used while counting ", Int64(board_stack_used()))
    return Board.checkStack() ? status : 70
}

enum Board {
    static func run() -> Int32 {
        guard var output = SemihostingOutput() else { return 2 }
        // The session lives in static storage (Support/storage.c), not on the stack: its RAM
        // shows in the image's `.bss`, and the link proves it fits. The storage starts as
        // zero bytes and is booted where it lies (HILSession.boot), never built and copied in:
        // Swift builds a struct's value on the stack, tens of KB here. Sound because the
        // session holds no references (its bytes are its value) and boot sets every field
        // before anything reads it.
        guard MemoryLayout<BoardSession>.size <= Int(BOARD_SESSION_BYTES) else {
            diagnose("firmware: the session outgrew BOARD_SESSION_BYTES (Support/board.h)\n")
            return 3
        }
        guard _isPOD(BoardSession.self) else {
            diagnose("firmware: the session holds references; it cannot be booted from zero bytes\n")
            return 3
        }
        let session = board_session_storage()!.bindMemory(to: BoardSession.self, capacity: 1)
        guard let file = openFixture() else { return 2 }
        guard let header = boot(session, file: file, output: &output) else { return 1 }
        // Booting and counting need different stacks: measure them apart.
        report("firmware: stack used to boot ", Int64(board_stack_used()))
        guard checkStack() else { return 70 }
        board_stack_repaint()
        var record = InlineArray<144, UInt8>(repeating: 0)
        var failure: HILError?
        while true {
            let count = read(file, into: &record, count: header.recordBytes)
            guard count > 0 else { break }
            do throws(HILError) {
                try session.pointee.run(record: record.span.extracting(0..<count))
            } catch {
                failure = error
                break
            }
        }
        session.pointee.finish(error: failure)
        return failure == nil ? 0 : 1
    }

    /// Reads the frame file's header and boots the session in `session` for it; on a fault,
    /// writes the end line naming it and returns nil. Never inlined, so the temporaries of the
    /// boot leave the stack before counting starts.
    @inline(never) static func boot(
        _ session: UnsafeMutablePointer<BoardSession>, file: UInt32, output: inout SemihostingOutput
    ) -> FrameFileHeader? {
        var head = InlineArray<24, UInt8>(repeating: 0)
        let got = read(file, into: &head, count: FrameFileHeader.bytes)
        let header: FrameFileHeader
        do throws(FrameFileFault) {
            header = try FrameFileHeader.decode(head.span.extracting(0..<got))
        } catch {
            BoardSession.writeEnd(.frames(error), to: &output)
            return nil
        }
        var isDepth = false
        if case .depth = header.sensor { isDepth = true }
        do throws(HILError) {
            try session.pointee.boot(
                header: header, flash: boardFlash(), bus: FixtureBus(address: FrameFileHeader.laneAddress, depth: isDepth),
                output: output)
        } catch {
            BoardSession.writeEnd(error, to: &output)
            return nil
        }
        return header
    }

    /// The frame file named by the second word of the semihosting command line.
    static func openFixture() -> UInt32? {
        var line = InlineArray<256, UInt8>(repeating: 0)
        var span = line.mutableSpan
        let length = span.withUnsafeMutableBufferPointer { buffer -> Int in
            var block: (UInt32, UInt32) = (UInt32(UInt(bitPattern: buffer.baseAddress!)), UInt32(buffer.count - 1))
            let status = withUnsafeMutablePointer(to: &block) {
                board_semihost(Semihosting.getCommandLine, UnsafeMutableRawPointer($0))
            }
            return status == 0 ? Int(block.1) : 0
        }
        var start = 0
        while start < length && line[start] != 0x20 { start += 1 }
        start += 1
        guard start < length else {
            diagnose("firmware: no frame file: pass one with -semihosting-config ...,arg=firmware,arg=FRAMES\n")
            return nil
        }
        // The path runs to the end of the line; NUL-terminate it in place for SYS_OPEN.
        line[length] = 0
        var path = line.mutableSpan
        let handle = path.withUnsafeMutableBufferPointer { buffer in
            Semihosting.open(buffer.baseAddress! + start, length: length - start, mode: 1)
        }
        if handle == nil { diagnose("firmware: cannot open the frame file\n") }
        return handle
    }

    static func read<let n: Int>(_ file: UInt32, into bytes: inout InlineArray<n, UInt8>, count: Int) -> Int {
        var span = bytes.mutableSpan
        var total = 0
        // A host may hand a read over in parts.
        while total < count {
            let got = span.withUnsafeMutableBufferPointer { Semihosting.read(file, $0.baseAddress! + total, count: count - total) }
            guard got > 0 else { break }
            total += got
        }
        return total
    }

    /// Whether the stack stayed within its reserve: its paint is left at the bottom. A run
    /// that went past it may have run off RAM or into the session, so it fails.
    static func checkStack() -> Bool {
        guard board_stack_used() >= board_stack_reserved() else { return true }
        report("firmware: the stack overflowed its reserve of ", Int64(board_stack_reserved()))
        return false
    }

    static func diagnose(_ text: StaticString) {
        Semihosting.diagnose(text.utf8Start)
    }

    /// Writes `label`, `bytes` and " bytes" to stderr: figures the compared output must not hold.
    static func report(_ label: StaticString, _ bytes: Int64) {
        var text = InlineArray<64, UInt8>(repeating: 0)
        var count = 0
        func put(_ byte: UInt8) {
            if count < 63 {
                text[count] = byte
                count += 1
            }
        }
        label.withUTF8Buffer { for byte in $0 { put(byte) } }
        let digits = DecimalText(bytes)
        for index in 0..<digits.count { put(digits[index]) }
        let suffix: StaticString = " bytes\n"
        suffix.withUTF8Buffer { for byte in $0 { put(byte) } }
        var span = text.mutableSpan
        span.withUnsafeMutableBufferPointer { Semihosting.diagnose(UnsafePointer($0.baseAddress!)) }
    }
}
