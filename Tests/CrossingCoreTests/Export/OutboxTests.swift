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

    @Test("A record sent once is never merged, even after a broken connection made it unsent (checkpoint-dst seed 17)")
    func sentRecordsStayWhole() {
        var outbox = Outbox<16>()
        for minute in 0..<6 { outbox.push(lane: 0, bin: Self.bin(minute: minute, count: 1)) }
        outbox.stamp(offsetNs: 0)
        outbox.markSent(6)
        // The receiver may have stored them with its ack lost; the connection breaks.
        outbox.resendAll()
        #expect(outbox.sentCount == 0 && outbox.frozenCount == 6)
        // A long partition fills the outbox: only the ten records never sent merge.
        for minute in 6..<60 { outbox.push(lane: 0, bin: Self.bin(minute: minute, count: 1)) }
        #expect((0..<6).allSatisfy { outbox[$0].seq == UInt32($0 + 1) && outbox[$0].binsMerged == 1 && outbox[$0].lastSeq == outbox[$0].seq })
        #expect((0..<outbox.count).reduce(0) { $0 + outbox[$1].bin.total } == 60)
        // Acknowledged, the frozen records leave, and the rest may merge again.
        #expect(outbox.acknowledge(throughSeq: 6) == 0, "nothing was sent on this connection")
        outbox.markSent(6)
        #expect(outbox.acknowledge(throughSeq: 6) == 6 && outbox.frozenCount == 0)
    }

    @Test("An outbox full of records that may have been received has no room; bins wait with their lane")
    func frozenOutboxHasNoRoom() {
        var outbox = Outbox<16>()
        for minute in 0..<16 { outbox.push(lane: UInt8(minute % 2), bin: Self.bin(minute: minute, count: 1)) }
        var room = outbox.hasRoom
        #expect(room, "two records of a lane never sent can merge")
        // After a reboot nothing tells which records went out before the power failed.
        outbox.freezeAll()
        room = outbox.hasRoom
        #expect(!room)
        outbox.stamp(offsetNs: 0)
        outbox.markSent(4)
        #expect(outbox.acknowledge(throughSeq: 4) == 4)
        room = outbox.hasRoom
        #expect(room)
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
