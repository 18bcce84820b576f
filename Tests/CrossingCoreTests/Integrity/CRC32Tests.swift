import CrossingCore
import Testing

@Test("CRC32 gives the standard check value for \"123456789\" and changes with any bit")
func crc32CheckValue() {
    var crc = CRC32()
    let digits: [UInt8] = Array("123456789".utf8)
    crc.update(digits.span)
    #expect(crc.value == 0xCBF4_3926)
    var flipped = CRC32()
    var other = digits
    other[4] ^= 0x01
    flipped.update(other.span)
    #expect(flipped.value != crc.value)
    #expect(CRC32().value == 0)
}
