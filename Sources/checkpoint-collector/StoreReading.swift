import CheckpointCLI
import CrossingCollector
import Foundation

/// What `report` and `export` read: a store's ledger (a running collector's too, without
/// changing it) and the sites file beside it or named.
enum StoreReading {
    static func load(data: String, sites sitesPath: String?) -> (Ledger, SiteConfig) {
        let log: (String) -> Void = { Terminal.error("\(program): \($0)") }
        do throws(CollectorError) {
            guard FileManager.default.fileExists(atPath: data) else { throw CollectorError("\(data): no such directory") }
            let path = sitesPath ?? (FileManager.default.fileExists(atPath: data + "/sites.json") ? data + "/sites.json" : nil)
            let sites = try path.map { path throws(CollectorError) in try SiteConfig.load(path: path) } ?? SiteConfig()
            return (try CollectorStore.readLedger(directory: data, warn: log), sites)
        } catch {
            Terminal.fail(program, error.description)
        }
    }
}
