import Foundation

/// A day's open data for journalists: one CSV per site, its crossings per hour by class and
/// direction (with the queue and wait where the site has them), and a README.txt that says
/// what every column means, in which units and time zone, how the counts are made and how
/// accurate they are measured to be. `checkpoint-collector export` writes the files to a
/// folder; `GET /export/DAY.zip` serves the same files as one zip.
public struct ExportDay: Sendable {
    /// `YYYY-MM-DD`, a UTC day.
    public let day: String
    /// File name and contents, README.txt first, then the sites by name.
    public let files: [(name: String, bytes: [UInt8])]

    /// Midnight UTC at the start of `day` (`YYYY-MM-DD` exactly), or nil when it is not one.
    public static func startS(of day: String) -> Int64? {
        let parts = day.split(separator: "-", omittingEmptySubsequences: false)
        guard day.utf8.count == 10, parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]),
            (1970...9999).contains(year), (1...12).contains(month), dayOfMonth >= 1
        else { return nil }
        guard dayOfMonth <= CivilDate.length(ofMonth: Int64(month), in: Int64(year)) else { return nil }
        return CivilDate(year: Int64(year), month: Int64(month), day: Int64(dayOfMonth)).daysSince1970 * 86_400
    }

    /// The day's files from the ledger. Nil when `day` is not `YYYY-MM-DD`.
    public init?(ledger: Ledger, sites: SiteConfig, day: String) {
        guard let startS = Self.startS(of: day) else { return nil }
        self.day = day
        let names = sites.siteNames(in: ledger)
        var files: [(name: String, bytes: [UInt8])] = []
        var used: Set<String> = ["README.txt"]
        var listed: [(site: String, file: String)] = []
        for site in names {
            let query = ReportQuery(site: site, fromS: startS, toS: startS + 86_400, by: .hour, group: .site)
            var file = "\(Self.fileSafe(site))_\(day).csv"
            var suffix = 2
            while used.contains(file) {
                file = "\(Self.fileSafe(site))-\(suffix)_\(day).csv"
                suffix += 1
            }
            used.insert(file)
            files.append((file, Array(Report(ledger: ledger, query: query, sites: sites).csv().utf8)))
            listed.append((site, file))
        }
        self.files = [("README.txt", Array(Self.readme(day: day, listed: listed, queues: Set(sites.queues.keys)).utf8))] + files
    }

    /// A site's name as a file name: letters, digits, `-`, `_` and `.` kept, anything else `_`.
    static func fileSafe(_ site: String) -> String {
        let kept = site.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
        }
        let name = String(kept)
        return name.hasPrefix(".") ? "_" + name.dropFirst() : name
    }

    /// The data dictionary.
    static func readme(day: String, listed: [(site: String, file: String)], queues: Set<String>) -> String {
        let files = listed.isEmpty
            ? "  (no site counted anything that day)\n"
            : listed.map { "  \($0.file)  site \"\($0.site)\"\(queues.contains($0.site) ? ", with queue and wait" : "")\n" }.joined()
        return """
            Border crossings on \(day), counted by checkpoint-counter
            =================================================================

            What this is
              Counts of people and vehicles crossing at each site, per hour of \(day) (UTC),
              by class and by direction. Counts only: the counters keep no images and no
              per-person data, and nothing here can identify anyone.

            Files
            \(files)
            Columns (every CSV; RFC 4180, UTF-8, comma-separated, one header row)
              interval_start          start of the hour, ISO 8601 in UTC (Z). Hours with
                                      no count at all have no row.
              site                    the site's name, as its counters report it
              pedestrian_outbound     people on foot leaving the country through the site
              pedestrian_inbound      people on foot arriving
              bicycle_outbound, bicycle_inbound   bicycles
              car_outbound, car_inbound           cars
              bus_outbound, bus_inbound           buses and trucks
              direction_unknown       crossings of any class whose direction a counter
                                      could not tell (a failing loop sensor, for example)
              queue_vehicles          (sites with a queue) vehicles queued at the end of
                                      the hour: vehicles counted joining the queue minus
                                      those counted leaving it through the gate
              queue_km                that queue's length in kilometres
              wait_h                  the wait at the gate in hours, by Little's law: the
                                      queue divided by the last hour's vehicles through
                                      the gate. Empty when none went through.
              All counts are whole crossings in that hour. A site's crossings are its gate
              and walkway counters'; a queue's approach counter counts vehicles joining the
              queue, not crossing, and is not in the crossing columns.

            Time zone
              UTC. Moscow time (MSK) is UTC+3: 00:00 UTC is 03:00 MSK.

            How the counts are made
              Overhead depth sensors (8x8 zones, looking down) over walkways and lanes, and
              dual inductive loops in roads, each counter turning its sensor's frames into
              crossings, sorted by class and direction. Counters store their counts and send
              them when the network allows, so an hour can grow after it ends, when a
              counter catches up; no count is sent twice.

            How accurate they are
              Measured in simulation only, not yet against hand counts at a real post
              (docs/counting.md and README "Accuracy" in the checkpoint-counter source):
              over a simulated day at each of four sites, 97.5-100 % of crossings were
              counted, in the right class and direction. Known weaknesses: a pram or a
              wheelchair may count as a bicycle; dark clothing and hair at the edge of a
              sensor's reach are missed more often; in strong daylight the depth sensors
              miss most people on foot, and their counts are then flagged as suspect in
              the collector's health report; vehicles in nose-to-tail queues over loops
              are sometimes mis-classed. Treat single hours with care; days are firmer.

            """
    }
}
