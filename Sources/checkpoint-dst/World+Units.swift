import CrossingCollector
import CrossingCore
import CrossingEmulation
import CrossingFirmware

// Units as the run ends them: replaced mid-run by a blank one under the same id, and their
// counts checked against the collector's at the end.
extension World {
    /// A new unit, blank flash and the same id and config, fitted in place of `index`'s, which
    /// is gone with whatever it had not sent: answers on their way to it are lost, batches it
    /// sent may still arrive.
    mutating func replace(_ index: Int) throws {
        var old = nodes[index].board
        var outbox = old.device.outbox
        var unit = RetiredUnit(incarnation: old.device.incarnation, counted: [], acknowledged: [])
        for lane in 0..<old.device.config.laneCount {
            let unexported = old.device.readUnexported(lane: lane)
            var counted: [UInt64] = []
            var acknowledged: [UInt64] = []
            for (cell, (crossingClass, direction)) in Self.cells.enumerated() {
                let total = old.device.total(lane: lane, crossingClass, direction)
                var waiting = UInt64(unexported.counts[cell])
                for record in 0..<outbox.count where outbox.record(record).lane == UInt8(lane) {
                    waiting += UInt64(outbox.record(record).bin.counts[cell])
                }
                counted.append(total)
                acknowledged.append(total - waiting)
            }
            unit.counted.append(counted)
            unit.acknowledged.append(acknowledged)
        }
        let connections = old.withPipe { pipe in
            pipe.breakConnection()
            return pipe.connection
        }
        inFlight.removeAll { $0.answer.device == index }
        nodes[index].retired.append(unit)
        nodes[index].board = try EmulatedBoard(
            config: nodes[index].config, faultRate: plan.busFaultRate,
            seed: seed &+ UInt64(index) &+ UInt64(nodes[index].retired.count) << 32,
            link: .pipe(PipeLink(connectionsBefore: connections)))
        nodes[index].downUntilUs = nil
        deviceReboots += 1
    }

    /// Every class and direction, in the order of a record's cells (class x 3 + direction).
    static let cells: [(CrossingClass, Direction)] = [CrossingClass.pedestrian, .bicycle, .car, .bus].flatMap { crossingClass in
        [Direction.outbound, .inbound, .unknown].map { (crossingClass, $0) }
    }

    /// Every count, exactly once: each device's totals per lane, class and direction against the
    /// collector's for its incarnation. A unit replaced before it sent everything must have
    /// every count the collector acknowledged stored, and none it did not count; the collector's
    /// totals for the id are the sum over its units. Returns the digest of the collector's totals.
    func compareTotals() throws -> UInt64 {
        var digest = Digest()
        for node in nodes {
            for lane in 0..<node.config.laneCount {
                let laneName = node.config.lane(lane).name.string
                for (cell, (crossingClass, direction)) in Self.cells.enumerated() {
                    let className = "\(crossingClass.name)"
                    let directionName = "\(direction.name)"
                    let place = "\(node.name) lane \(laneName) \(className) \(directionName)"
                    func stored(_ incarnation: Incarnation) -> Int64 {
                        guard case .known(let number) = incarnation else { return 0 }
                        return collector.total(
                            DeviceIncarnation(device: node.name, incarnation: Int64(number)), lane: laneName,
                            crossingClass: className, direction: directionName)
                    }
                    var sum: Int64 = 0
                    for (number, unit) in node.retired.enumerated() {
                        let kept = stored(unit.incarnation)
                        let counted = unit.counted[lane][cell]
                        let acknowledged = unit.acknowledged[lane][cell]
                        if kept < acknowledged || kept > counted {
                            throw Failure(
                                "\(place): replaced unit \(number + 1) (\(unit.incarnation)) counted \(counted), of which "
                                    + "\(acknowledged) were acknowledged, and the collector stored \(kept)")
                        }
                        sum += kept
                    }
                    let counted = node.board.device.total(lane: lane, crossingClass, direction)
                    let current = stored(node.board.device.incarnation)
                    if UInt64(current) != counted {
                        throw Failure(
                            "\(place): the device (\(node.board.device.incarnation)) counted \(counted), "
                                + "the collector stored \(current)")
                    }
                    sum += current
                    let total = collector.total(device: node.name, lane: laneName, crossingClass: className, direction: directionName)
                    digest.add(UInt64(bitPattern: total))
                    if total != sum {
                        throw Failure("\(place): the collector's totals hold \(total), its stored records \(sum)")
                    }
                }
            }
        }
        return digest.value
    }
}
