#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the log and the snapshot need, on descriptors, so that each write
/// and sync is exactly one system call the code can reason about. Those that change what is on
/// disk go through `files` (`DurableFiles`).
enum FileIO {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, files: DurableFiles) throws(CollectorError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { files.write(fd, UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system("write \(path)")
            }
            offset += written
        }
    }

    static func read(path: String) throws(CollectorError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .system("open \(path)")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .system("read \(path)")
            }
            if got == 0 { return bytes }
            bytes += chunk[0..<got]
        }
    }

    /// `count` bytes of an open file from `offset`, fewer at its end.
    static func read(_ fd: Int32, offset: Int, count: Int, path: String) throws(CollectorError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset + got)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .system("read \(path)") }
            if n == 0 { break }
            got += n
        }
        return Array(bytes.prefix(got))
    }

    /// Writes `bytes` to `path` so that a crash leaves the old file or the new, never a mix:
    /// a temporary file, synced, renamed over, then the directory synced.
    static func replace(path: String, with bytes: [UInt8], directory: String, files: DurableFiles) throws(CollectorError) {
        try replace(path: path, directory: directory, files: files) { (write: ([UInt8]) throws(CollectorError) -> Void) throws(CollectorError) in
            try write(bytes)
        }
    }

    /// `replace`, with the bytes handed to `write` in pieces by `produce`. Each
    /// `writeBackBytes` written go to disk before more are written: a snapshot of tens of
    /// megabytes left dirty would be flushed in one burst, and the log's sync beside it
    /// (ext4 commits its journal in order) would wait behind the burst, holding up acks.
    static func replace(
        path: String, directory: String, files: DurableFiles,
        produce: (_ write: ([UInt8]) throws(CollectorError) -> Void) throws(CollectorError) -> Void
    ) throws(CollectorError) {
        let temporary = path + ".tmp"
        let fd = files.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("open \(temporary)") }
        var written = 0
        var writtenBack = 0
        do throws(CollectorError) {
            try produce { (bytes: [UInt8]) throws(CollectorError) in
                try writeAll(fd, bytes, path: temporary, files: files)
                written += bytes.count
                if written - writtenBack >= writeBackBytes {
                    files.writeBack(fd, offset: writtenBack, count: written - writtenBack)
                    writtenBack = written
                }
            }
            guard files.sync(fd, dataOnly: false) == 0 else { throw .system("fsync \(temporary)") }
        } catch {
            files.close(fd)
            throw error
        }
        files.close(fd)
        guard files.rename(temporary, path) == 0 else { throw .system("rename \(temporary)") }
        try syncDirectory(directory, files: files)
    }

    static let writeBackBytes = 1 << 20

    static func syncDirectory(_ directory: String, files: DurableFiles) throws(CollectorError) {
        let fd = files.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw .system("open \(directory)") }
        defer { files.close(fd) }
        guard files.sync(fd, dataOnly: false) == 0 else { throw .system("fsync \(directory)") }
    }

    static func makeDirectory(_ path: String) throws(CollectorError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .system("mkdir \(path)") }
    }

    /// Names in a directory.
    static func list(_ directory: String) throws(CollectorError) -> [String] {
        guard let handle = opendir(directory) else { throw .system("opendir \(directory)") }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
