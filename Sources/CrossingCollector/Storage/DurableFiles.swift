import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The file system calls that decide what of the store survives a power cut: the writes, the
/// syncs, and the directory changes. The store makes every such call through one of these, so
/// that `checkpoint-dst` can stand a page cache between the store and the disk and cut the
/// power (`PageCacheFiles` there); a store runs on `SystemFiles`. Reads go to the file system
/// directly: they see the page cache, as they would anyway.
///
/// Each call is the system call of the same name, with its result and `errno`.
public protocol DurableFiles: AnyObject {
    func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int
    /// `fdatasync` when `dataOnly`, else `fsync`; on a directory, makes its entries durable.
    func sync(_ fd: Int32, dataOnly: Bool) -> Int32
    func close(_ fd: Int32)
    func rename(_ from: String, _ to: String) -> Int32
    func unlink(_ path: String) -> Int32
    func truncate(_ path: String, _ length: Int) -> Int32
    /// Writes `count` bytes of `fd` from `offset` to disk now, waiting for them
    /// (`sync_file_range`): pacing, not durability, which only `sync` gives.
    func writeBack(_ fd: Int32, offset: Int, count: Int)
}

extension DurableFiles {
    /// Nothing: a file system that keeps no dirty pages of its own has nothing to pace.
    public func writeBack(_ fd: Int32, offset: Int, count: Int) {}
}

/// The real file system.
public final class SystemFiles: DurableFiles, Sendable {
    public static let shared = SystemFiles()

    public init() {}

    public func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int { Glibc.write(fd, bytes.baseAddress, bytes.count) }
    public func sync(_ fd: Int32, dataOnly: Bool) -> Int32 { dataOnly ? fdatasync(fd) : fsync(fd) }
    public func close(_ fd: Int32) { _ = Glibc.close(fd) }
    public func rename(_ from: String, _ to: String) -> Int32 { Glibc.rename(from, to) }
    public func unlink(_ path: String) -> Int32 { Glibc.unlink(path) }
    public func truncate(_ path: String, _ length: Int) -> Int32 { Glibc.truncate(path, off_t(length)) }
    public func writeBack(_ fd: Int32, offset: Int, count: Int) { _ = clinux_write_back(fd, Int64(offset), Int64(count)) }
}
