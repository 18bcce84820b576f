import CrossingCore
import CrossingDevice

/// Where a hardware-in-the-loop rig's output goes: the host's stdout through semihosting, a
/// serial frame, a buffer. Used only through generics.
public protocol HILOutput {
    mutating func write(_ bytes: Span<UInt8>)
    /// Sends on whatever the output holds back; called after a run's last line.
    mutating func flush()
}

extension HILOutput {
    public mutating func flush() {}
}

/// The export link of a hardware-in-the-loop rig: a collector in miniature at `tcp://hil`.
///
/// It writes the line-protocol lines of every batch the device sends to `output` and acks
/// the batch at once, with the wall time `epochNs` plus the board's clock, so the device's
/// export runs its real path and the lines come out the same on every rig. The batch trailer
/// (a `#` line carrying the HMAC) is read for its `last=` and `inc=` and not written; a device
/// asking for an incarnation gets the epoch's second, the same on every rig.
public struct HILLink<Out: HILOutput>: ClockedLink {
    /// 2022-09-21T06:00:00Z: the wall time a rig's board clock starts from.
    public static var epochNs: Int64 { 1_663_740_000_000_000_000 }
    static var trailerBytesMax: Int { 256 }

    public var output: Out
    private var boardUs: UInt64 = 0
    /// Batches acked.
    public private(set) var batches: UInt64 = 0
    private var atLineStart = true
    private var inTrailer = false
    private var trailer = InlineArray<256, UInt8>(repeating: 0)
    private var trailerCount = 0
    /// `ack LAST TIME_NS [INCARNATION]`: at most 4 + 10 + 1 + 19 + 1 + 10 + 1 bytes.
    private var answer = HILText<48>()

    public init(output: Out) {
        self.output = output
    }

    public mutating func setBoardTime(us: UInt64) {
        boardUs = us
    }

    public mutating func connect() throws(LinkError) -> LinkState { .connected }

    public mutating func send(_ bytes: Span<UInt8>) throws(LinkError) -> Int {
        var runStart = 0
        for index in bytes.indices {
            let byte = bytes[index]
            if atLineStart && byte == 0x23 {
                if index > runStart { output.write(bytes.extracting(runStart..<index)) }
                inTrailer = true
                trailerCount = 0
            }
            atLineStart = byte == 0x0A
            guard inTrailer else { continue }
            // A device that sends a longer comment line is broken: the collector would refuse it too.
            guard trailerCount < Self.trailerBytesMax else { throw .reset }
            trailer[trailerCount] = byte
            trailerCount += 1
            if byte == 0x0A {
                inTrailer = false
                acknowledge()
            }
            runStart = index + 1
        }
        if bytes.count > runStart { output.write(bytes.extracting(runStart..<bytes.count)) }
        return bytes.count
    }

    public mutating func receive(into bytes: inout MutableSpan<UInt8>) throws(LinkError) -> Int {
        answer.drain(into: &bytes)
    }

    public mutating func close() {
        atLineStart = true
        inTrailer = false
        answer = HILText<48>()
    }

    /// `ack LAST TIME_NS` for the trailer just read, with an incarnation when it asked.
    private mutating func acknowledge() {
        var last: Int64 = 0
        if var index = find(" last=") {
            while index < trailerCount, trailer[index] >= 0x30, trailer[index] <= 0x39 {
                last = last &* 10 &+ Int64(trailer[index] - 0x30)
                index += 1
            }
        }
        answer = HILText<48>()
        answer.put("ack ")
        answer.put(last)
        answer.put(" ")
        answer.put(Self.epochNs &+ Int64(truncatingIfNeeded: boardUs &* 1000))
        if find(" inc=new") != nil {
            answer.put(" ")
            answer.put(Self.epochNs / 1_000_000_000)
        }
        answer.endLine()
        batches &+= 1
    }

    /// Where the trailer continues after `key`, if it holds it.
    private func find(_ key: StaticString) -> Int? {
        key.withUTF8Buffer { name -> Int? in
            guard trailerCount > name.count else { return nil }
            for start in 0..<(trailerCount - name.count) {
                var match = true
                for offset in 0..<name.count where trailer[start + offset] != name[offset] { match = false }
                if match { return start + name.count }
            }
            return nil
        }
    }
}
