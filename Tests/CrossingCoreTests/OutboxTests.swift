import CrossingCore
import Testing

@Suite("Outbox")
struct OutboxTests {
    static func bin(minute: Int, count: UInt32, cell: Int = 0) -> IntervalBin {
        var bin = IntervalBin()
        bin.startUs = UInt64(minute) * 60_000_000
        bin.intervalMs = 60_000
        bin.frames = 900
        bin.counts[cell] = count
        return bin
    }

    @Test("Sent records leave on acknowledgement; after a broken connection they go again")
    func sendAcknowledgeResend() {
        var outbox = Outbox<16>()
        for minute in 0..<5 { outbox.push(lane: 0, bin: Self.bin(minute: minute, count: 1)) }
        #expect(outbox.sendableCount == 0, "no wall time yet: nothing can be stamped")
        outbox.stamp(offsetNs: 1_663_750_800_000_000_000)
        #expect(outbox.sendableCount == 5)
        outbox.markSent(3)
        #expect(outbox.sendableCount == 2)
        outbox.resendAll()
        #expect(outbox.sendableCount == 5)
        outbox.markSent(4)
        #expect(outbox.acknowledge(throughSeq: 2) == 2)
        #expect(outbox.count == 3 && outbox[0].seq == 3 && outbox.sentCount == 2)
        #expect(outbox.acknowledge(throughSeq: 9) == 2, "only what was sent can be acknowledged")
        #expect(outbox.count == 1 && outbox[0].seq == 5)
    }

    @Test("A full outbox merges oldest bins per lane: totals exact, sequence numbers rising, sent records untouched")
    func mergesWhenFull() {
        var outbox = Outbox<64>()
        var pushed = [UInt64](repeating: 0, count: 4 * 12)
        var random = SeededRandom(state: 9)
        outbox.stamp(offsetNs: 0)
        for minute in 0..<10 { outbox.push(lane: 0, bin: Self.bin(minute: minute, count: 1)) }
        outbox.stamp(offsetNs: 0)
        outbox.markSent(10)
        pushed[0] += 10
        // Six hours of four lanes with the link down.
        for minute in 10..<370 {
            for lane in 0..<4 {
                let cell = Int(random.next() % 12)
                let count = UInt32(random.next() % 40)
                outbox.push(lane: UInt8(lane), bin: Self.bin(minute: minute, count: count, cell: cell))
                pushed[lane * 12 + cell] += UInt64(count)
            }
        }
        #expect(outbox.count == 64)
        var held = [UInt64](repeating: 0, count: 4 * 12)
        var bins = 0
        for index in 0..<outbox.count {
            let record = outbox[index]
            for cell in 0..<12 { held[Int(record.lane) * 12 + cell] += UInt64(record.bin.counts[cell]) }
            bins += Int(record.binsMerged)
            if index > 0 { #expect(record.seq > outbox[index - 1].seq) }
        }
        #expect(held == pushed)
        #expect(bins == 10 + 360 * 4)
        #expect(outbox.binsMergedAway == UInt64(bins - outbox.count))
        // The ten sent records kept their own minute.
        #expect((0..<10).allSatisfy { outbox[$0].binsMerged == 1 && outbox[$0].bin.intervalMs == 60_000 })
        // Each lane's records still tile its time: every merged record spans the bins it holds.
        for lane in 0..<4 {
            let records = (10..<outbox.count).map { outbox[$0] }.filter { $0.lane == lane }
            #expect(records.first?.bin.startUs == 10 * 60_000_000)
            for (earlier, later) in zip(records, records.dropFirst()) {
                #expect(earlier.bin.startUs + UInt64(earlier.bin.intervalMs) * 1000 == later.bin.startUs)
            }
        }
    }

    @Test("After the wall clock steps back, a lane's stamps still rise, so no bin lands on another")
    func stampsRiseAcrossAStep() {
        var outbox = Outbox<16>()
        outbox.push(lane: 1, bin: Self.bin(minute: 0, count: 1))
        outbox.push(lane: 1, bin: Self.bin(minute: 1, count: 1))
        outbox.stamp(offsetNs: 1_000_000_000_000)
        outbox.push(lane: 1, bin: Self.bin(minute: 2, count: 1))
        outbox.push(lane: 2, bin: Self.bin(minute: 2, count: 1))
        // The clock is found two minutes fast and steps back.
        outbox.stamp(offsetNs: 1_000_000_000_000 - 120_000_000_000)
        let lane1 = (0..<outbox.count).map { outbox[$0] }.filter { $0.lane == 1 }.compactMap(\.wallStartNs)
        #expect(lane1.count == 3 && lane1[0] < lane1[1] && lane1[1] < lane1[2])
        #expect(lane1[2] == lane1[1] + 1)
        #expect(outbox[3].wallStartNs == 1_000_000_000_000)
    }
}
