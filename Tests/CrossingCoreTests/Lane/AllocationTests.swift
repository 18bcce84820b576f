import AllocationCounter
import CrossingCore
import Testing

@Suite("Fixed memory")
struct AllocationTests {
    @Test("One million frames through a set-up lane allocate nothing")
    func millionFramesZeroAllocations() throws {
        var feeder = try FrameFeeder(config: Lanes.walkway)
        // A cycle of frames: walkers both ways, side by side, a dropout, and empty floor.
        var cycle: [[ZoneReading]] = []
        for row in stride(from: -3, through: 9, by: 1) {
            cycle.append(feeder.zones([Shape.person(row: Double(row), col: 1), Shape.person(row: Double(6 - row), col: 4)]))
            cycle.append(feeder.zones([Shape.person(row: Double(row), col: 1), Shape.person(row: Double(6 - row), col: 4)]))
        }
        cycle.append(feeder.zones([], invalid: Set(0..<64)))
        for _ in 0..<20 { cycle.append(feeder.zones([])) }
        try feeder.learnFloor()

        var lane = feeder.lane
        var scratch = DepthScratch()
        var sequence = feeder.sequence
        var timeUs = feeder.timeUs
        func run(_ frames: Int) throws {
            for index in 0..<frames {
                let header = FrameHeader(sequence: sequence, timestampUs: timeUs, side: 8)
                let frame = cycle[index % cycle.count]
                try lane.process(header: header, zones: frame.span, scratch: &scratch)
                sequence &+= 1
                timeUs &+= 66_666
                while lane.popClosedBin() != nil {}
            }
        }
        // Warm-up past the first bin close: debug builds instantiate generic metadata once, on
        // the first pass through each path.
        try run(2_000)
        let countedBefore = lane.grandTotal
        // Nothing but the frames may run between the two readings: `#expect` itself allocates.
        let before = allocation_counter_thread_allocations()
        try run(1_000_000)
        let allocations = allocation_counter_thread_allocations() - before
        #expect(before >= 0, "the allocation counter is not linked in")
        #expect(allocations == 0)
        // Two walkers per cycle: the frames really were counted, not skipped.
        let cycles = UInt64(1_000_000 / cycle.count)
        #expect(lane.grandTotal - countedBefore >= 2 * cycles)
        #expect(lane.grandTotal - countedBefore <= 2 * cycles + 2)
    }

    @Test("Encoding 100,000 lines allocates nothing")
    func encoderZeroAllocations() throws {
        let lane = ShortText(Array("walk way,1".utf8).span)!
        var buffer = LineBuffer<4096>()
        var sent = 0
        // A sender empties the buffer before a line could fail to fit (a debug build boxes a
        // thrown error; the release bench counts the full path, refusals included).
        func encode(_ lines: Int) {
            for index in 0..<lines {
                if buffer.committedCount > 4096 - 128 {
                    sent += buffer.committedCount
                    buffer.removeAll()
                }
                buffer.begin("crossings")
                buffer.tag("lane", lane)
                buffer.field("count", Int64(index))
                buffer.field("note", lane)
                try? buffer.end(timestampNs: Int64(index) * 60_000_000_000)
            }
        }
        encode(100)
        let before = allocation_counter_thread_allocations()
        encode(100_000)
        let allocations = allocation_counter_thread_allocations() - before
        #expect(allocations == 0)
        #expect(sent + buffer.committedCount > 100_000 * 40)
    }

    @Test("The whole state of one lane fits in 3.5 KiB, and the scratch the lanes share in 3.25 KiB")
    func laneStateBound() {
        Limits.check()
        #expect(MemoryLayout<DepthLaneCounter>.size <= 3584)
        #expect(MemoryLayout<DepthScratch>.size <= 3 * 1024 + 256)
    }

    @Test("The allocation counter sees an allocation when there is one")
    func counterWorks() {
        let before = allocation_counter_thread_allocations()
        let array = [Int](repeating: 7, count: Int.random(in: 100...200))
        #expect(allocation_counter_thread_allocations() - before >= 1)
        #expect(array.count >= 100)
    }
}
