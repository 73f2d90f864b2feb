import ArgumentParser
import Foundation
import PluginHost

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate the enabled lanes and sizing chain on one quote snapshot.",
        discussion: """
            --universe is a folder of mapping CSVs (cross_venue_map.*.csv) and rules JSON files
            (structural_rules.*.json); --quotes is a JSON Lines file, one market per line (format in
            README.md, "Quotes file"). Fees come from the venue plugins: enable the plugin of every
            venue you quote (`arb plugins enable venue.kalshi`).
            """)
    @OptionGroup var host: HostOptions

    @Option(help: "Folder of mapping (*.csv) and rules (*.json) files.")
    var universe: String

    @Option(help: "Quotes file (JSON Lines, one market per line).")
    var quotes: String

    @Option(help: "Evaluation time, RFC 3339 (default now): sets the time-to-close regimes.")
    var now: String?

    @Flag(help: "Print the opportunities as JSON Lines.")
    var json = false

    func run() throws {
        let groups: Universe
        let snapshot: [QuoteSnapshot]
        do {
            groups = try Universe.load(directory: universe)
            snapshot = try QuoteSnapshot.load(path: quotes)
        } catch {
            throw ValidationError("\(error)")
        }
        var time = HostRuntime.wallClock()
        if let now {
            guard let date = ISO8601DateFormatter().date(from: now) else {
                throw ValidationError("--now \(now) is not an RFC 3339 time such as 2026-11-25T12:00:00Z")
            }
            time = Int64(date.timeIntervalSince1970) * 1_000_000_000
        }
        let manager = try host.makeManager(state: MemoryStateStore())
        let report = manager.reload()
        if !json { for error in report.errors { print("error: \(error)") } }
        var options = Engine.Options()
        options.paper = false
        options.traceInDecisions = true
        let engine = Engine(manager: manager, universe: groups, options: options)
        var found: [Decision] = []
        engine.onDecision = { if $0.kind != .quarantine || !json { found.append($0) } }
        for q in snapshot { engine.upsert(q.market) }
        for q in snapshot { engine.apply(q.book, venue: q.market.venue, receivedAt: time) }
        engine.rescan(now: time)
        let venuesWithPlugins = Set(manager.pipeline.venues.compactMap(\.venueID))
        let quotedVenues = Set(snapshot.map(\.market.venue))
        if json {
            for d in found { print(d.jsonLine) }
            return
        }
        for w in groups.warnings { print("note: \(w)") }
        for v in quotedVenues.subtracting(venuesWithPlugins).sorted() {
            print(
                "warning: no enabled venue plugin reports \"\(v)\": its fees are unknown, so its groups cannot be priced"
            )
        }
        let s = engine.summary
        print(
            "\(snapshot.count) quotes, \(groups.groups.count) groups; evaluated \(s.groupsEvaluated); "
                + "opportunities \(found.filter { $0.kind != .quarantine }.count), quarantined quotes \(s.dataQuality.total) (\(s.dataQuality.summary)); plugin errors \(s.pluginErrors)"
        )
        for d in found {
            switch d.kind {
            case .quarantine:
                print("quarantined \(d.legs.joined()): \(d.reason ?? "")")
            case .alarm:
                print("ALARM [\(d.laneID)] \(d.groupID): \(d.legs.joined(separator: " + ")): \(d.reason ?? "")")
            case .plan, .fill:
                let outcome =
                    d.baskets > 0
                    ? "\(PluginHostFormat.contracts(d.baskets)) baskets"
                    : "rejected by \(d.rejectedBy ?? "?")"
                print(
                    "[\(d.laneID)] \(d.groupID): \(d.legs.joined(separator: " + ")); worst-case edge "
                        + "$\(PluginHostFormat.dollars(d.edge))/basket after fees, depth \(PluginHostFormat.contracts(d.maxBaskets)) → \(outcome)"
                )
                for step in d.trace ?? [] { print("    \(step)") }
            }
        }
    }
}
