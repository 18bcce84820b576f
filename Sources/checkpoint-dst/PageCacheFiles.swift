import CrossingCollector
import CrossingSimulation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The collector's disk as a power cut sees it: what a sync made durable stays, the rest sat
/// in a page cache and is lost. The real files are the page cache; this keeps, beside them,
/// what is durable:
///
/// - per file (by inode), the bytes its last `fsync`/`fdatasync` covered: a prefix, since the
///   store only appends to a file, or writes it whole before syncing it;
/// - per directory, its entries as of its last sync: a file created, renamed or unlinked since
///   is back as it was after a cut, its old contents kept here until then.
///
/// `cutPower` puts the files back to that state, except that writeback may have flushed any
/// part of what followed a file's durable prefix, and the last sector written may be torn.
final class PageCacheFiles: DurableFiles {
    private let system = SystemFiles.shared
    private var paths: [Int32: String] = [:]
    private var durableBytes: [UInt64: Int] = [:]
    private var durableEntries: [String: [String: UInt64]] = [:]
    /// Contents of durable files unlinked or renamed over since their directory's last sync.
    private var stash: [UInt64: [UInt8]] = [:]
    static let sectorBytes = 512

    func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        let fd = system.open(path, flags, mode)
        if fd >= 0 { paths[fd] = path }
        return fd
    }

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int { system.write(fd, bytes) }

    func sync(_ fd: Int32, dataOnly: Bool) -> Int32 {
        let result = system.sync(fd, dataOnly: dataOnly)
        guard result == 0, let path = paths[fd], let info = Self.fileInfo(path) else { return result }
        if info.isDirectory {
            durableEntries[path] = Self.entries(of: path)
            let referenced = Set(durableEntries.values.flatMap(\.values))
            stash = stash.filter { referenced.contains($0.key) }
        } else {
            durableBytes[info.inode] = info.size
        }
        return result
    }

    func close(_ fd: Int32) {
        paths[fd] = nil
        system.close(fd)
    }

    func rename(_ from: String, _ to: String) -> Int32 {
        keepIfDurable(to)
        return system.rename(from, to)
    }

    func unlink(_ path: String) -> Int32 {
        keepIfDurable(path)
        return system.unlink(path)
    }

    func truncate(_ path: String, _ length: Int) -> Int32 {
        let result = system.truncate(path, length)
        if result == 0, let inode = Self.fileInfo(path)?.inode { durableBytes[inode] = min(durableBytes[inode] ?? 0, length) }
        return result
    }

    /// Before a durable file's name goes, its durable bytes, for a cut to bring back.
    private func keepIfDurable(_ path: String) {
        guard let info = Self.fileInfo(path), !info.isDirectory, durableEntries.values.contains(where: { $0.values.contains(info.inode) })
        else { return }
        let bytes = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        stash[info.inode] = Array(bytes.prefix(durableBytes[info.inode] ?? 0))
    }

    /// The power fails: every synced directory gets back its synced entries, and every file
    /// its durable bytes, then some of what followed them (writeback may have flushed any
    /// amount), the last sector of that maybe torn. What is on disk after is all durable.
    func cutPower(random: inout SplitMix64) throws(Failure) {
        for (directory, entries) in durableEntries {
            let now = Self.entries(of: directory)
            for (name, inode) in now where entries[name] != inode {
                guard Glibc.unlink(directory + "/" + name) == 0 || errno == EISDIR else {
                    throw Failure("power cut: unlink \(directory)/\(name): \(String(cString: strerror(errno)))")
                }
            }
            for (name, inode) in entries {
                let path = directory + "/" + name
                if now[name] == inode {
                    guard let info = Self.fileInfo(path), !info.isDirectory else { continue }
                    try tear(path, size: info.size, durable: durableBytes[inode] ?? 0, random: &random)
                } else if let bytes = stash[inode] {
                    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                        throw Failure("power cut: cannot bring back \(path)")
                    }
                } else {
                    throw Failure("power cut: \(path) was durable and its bytes were not kept")
                }
            }
        }
        stash = [:]
        durableBytes = [:]
        for directory in durableEntries.keys {
            let entries = Self.entries(of: directory)
            durableEntries[directory] = entries
            for name in entries.keys {
                if let info = Self.fileInfo(directory + "/" + name), !info.isDirectory { durableBytes[info.inode] = info.size }
            }
        }
    }

    /// Cuts a file to its durable bytes and a random part of the rest, the last sector of
    /// that part torn (zeroed from a random byte) one time in two.
    private func tear(_ path: String, size: Int, durable: Int, random: inout SplitMix64) throws(Failure) {
        guard size > durable else { return }
        let kept = durable + Int(random.next() % UInt64(size - durable + 1))
        guard Glibc.truncate(path, off_t(kept)) == 0 else { throw Failure("power cut: truncate \(path): \(String(cString: strerror(errno)))") }
        guard kept > durable, random.next() % 2 == 0 else { return }
        let sectorStart = max(durable, (kept - 1) / Self.sectorBytes * Self.sectorBytes)
        let tornFrom = sectorStart + Int(random.next() % UInt64(kept - sectorStart))
        guard let handle = FileHandle(forWritingAtPath: path) else { throw Failure("power cut: open \(path)") }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(tornFrom))
            try handle.write(contentsOf: Data(count: kept - tornFrom))
        } catch {
            throw Failure("power cut: write \(path): \(error)")
        }
    }

    private static func fileInfo(_ path: String) -> (inode: UInt64, size: Int, isDirectory: Bool)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_ino), Int(info.st_size), info.st_mode & S_IFMT == S_IFDIR)
    }

    private static func entries(of directory: String) -> [String: UInt64] {
        var entries: [String: UInt64] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            if let info = fileInfo(directory + "/" + name) { entries[name] = info.inode }
        }
        return entries
    }
}
