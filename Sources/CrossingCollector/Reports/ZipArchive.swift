import CrossingCore

/// A zip archive (PKWARE's APPNOTE) of files stored uncompressed: what `GET /export/DAY.zip`
/// serves. CSV of a day is small, and storing keeps the writer a page long with nothing to
/// get wrong; every unzip tool reads it.
public enum ZipArchive {
    /// The archive of `files`, each dated `dosTime` (MS-DOS date and time, high word the date).
    public static func stored(_ files: [(name: String, bytes: [UInt8])], dosTime: UInt32) -> [UInt8] {
        var archive: [UInt8] = []
        var directory: [UInt8] = []
        for (name, bytes) in files {
            var crc = WideCRC32()
            crc.update(bytes.span)
            let offset = UInt32(archive.count)
            let nameBytes = Array(name.utf8)
            // The fields a local header and a central directory entry share, from "version needed".
            var common: [UInt8] = []
            append16(20, to: &common)  // version needed: 2.0
            append16(0x0800, to: &common)  // names are UTF-8
            append16(0, to: &common)  // stored
            append32(dosTime, to: &common)
            append32(crc.value, to: &common)
            append32(UInt32(bytes.count), to: &common)
            append32(UInt32(bytes.count), to: &common)
            append16(UInt16(nameBytes.count), to: &common)
            append16(0, to: &common)  // no extra field
            append32(0x0403_4B50, to: &archive)
            archive += common + nameBytes + bytes
            append32(0x0201_4B50, to: &directory)
            append16(0x0314, to: &directory)  // made by: Unix, 2.0
            directory += common
            append16(0, to: &directory)  // no comment
            append16(0, to: &directory)  // disk 0
            append16(0, to: &directory)  // internal attributes
            append32(0o100644 << 16, to: &directory)  // a regular file, rw-r--r--
            append32(offset, to: &directory)
            directory += nameBytes
        }
        let directoryOffset = UInt32(archive.count)
        archive += directory
        append32(0x0605_4B50, to: &archive)
        append16(0, to: &archive)
        append16(0, to: &archive)
        append16(UInt16(files.count), to: &archive)
        append16(UInt16(files.count), to: &archive)
        append32(UInt32(directory.count), to: &archive)
        append32(directoryOffset, to: &archive)
        append16(0, to: &archive)
        return archive
    }

    /// Seconds since 1970 as an MS-DOS date and time (2-second steps, from 1980).
    public static func dosTime(_ seconds: Int64) -> UInt32 {
        let clamped = max(seconds, 315_532_800)  // 1980-01-01
        let days = clamped / 86_400
        let secondOfDay = clamped % 86_400
        let civil = CivilDate(daysSince1970: days)
        let date = UInt32(civil.year - 1980) << 9 | UInt32(civil.month) << 5 | UInt32(civil.day)
        let time = UInt32(secondOfDay / 3600) << 11 | UInt32(secondOfDay / 60 % 60) << 5 | UInt32(secondOfDay % 60 / 2)
        return date << 16 | time
    }

    static func append16(_ value: UInt16, to bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }
}
