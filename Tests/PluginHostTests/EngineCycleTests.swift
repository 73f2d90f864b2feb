import Foundation
import PluginHost
import PluginKit
import Testing

/// The engine's cycle over groups whose lanes come and go at runtime.
struct EngineCycleTests {
    static let now: Int64 = 1_764_072_000_000_000_000

    static func book(_ kind: BookUpdate.Kind, _ id: String, yes: [Level], no: [Level] = []) -> BookUpdate {
        var u = BookUpdate(kind: kind, marketID: id)
        u.yesBids = yes
        u.noBids = no
        return u
    }

    /// A cross-venue lane sees the pair, is disabled, and while no lane evaluates pairs member B
    /// moves to a mispriced level. Enabled again and woken by a change of member A alone, the
    /// lane must see B's current book, not the one its last evaluation showed.
    @Test func aLaneEnabledLaterSeesEveryMembersCurrentBook() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(
            "10-k.toml",
            manifest(
                id: "venue.k", kind: "venue", library: "libSimVenue.so",
                config: "venue_id = \"kalshi\"\nfee_coefficient = \"0.07\""))
        try box.write(
            "11-p.toml",
            manifest(
                id: "venue.p", kind: "venue", library: "libSimVenue.so",
                config: "venue_id = \"polymarket\"\nfee_coefficient = \"0.04\""))
        func writeLane(enabled: Bool) throws {
            try box.write(
                "20-cross.toml",
                manifest(
                    id: "lane.cross_venue", kind: "lane", library: "libCrossVenueLane.so",
                    extra: "enabled = \(enabled)"))
        }
        try writeLane(enabled: true)
        let manager = box.makeManager()
        #expect(manager.reload().errors.isEmpty)
        let a = MarketKey(venue: "kalshi", marketID: "A")
        let b = MarketKey(venue: "polymarket", marketID: "B")
        let rule = GroupRule(kind: .pair, groupID: "pair", members: [.init(key: a), .init(key: b)], source: "test")
        var options = Engine.Options()
        options.paper = false
        let engine = Engine(manager: manager, universe: Universe(groups: [rule]), options: options)
        for key in [a, b] {
            var m = MarketRecord(venue: key.venue, marketID: key.marketID, closeTime: Self.now + 7 * 86_400_000_000_000)
            m.tick = 10_000
            engine.upsert(m)
        }
        // A: YES ask 0.45. B: NO ask 0.56 — together $1.01, no basket.
        engine.apply(
            Self.book(.snapshot, "A", yes: [Level(price: 400_000, size: 500)], no: [Level(price: 550_000, size: 500)]),
            venue: a.venue, receivedAt: Self.now)
        engine.apply(
            Self.book(.snapshot, "B", yes: [Level(price: 440_000, size: 500)], no: [Level(price: 440_000, size: 500)]),
            venue: b.venue, receivedAt: Self.now)
        engine.runCycle(now: Self.now)
        #expect(engine.summary.groupsEvaluated > 0)
        try writeLane(enabled: false)
        #expect(manager.reload().errors.isEmpty)
        // B's YES bid rises to 0.50 (its NO ask falls to 0.50) while no lane evaluates the pair.
        engine.apply(
            Self.book(.delta, "B", yes: [Level(price: 500_000, size: 500)]), venue: b.venue, receivedAt: Self.now + 1)
        engine.runCycle(now: Self.now + 1)
        #expect(engine.summary.opportunities["lane.cross_venue", default: 0] == 0)

        try writeLane(enabled: true)
        #expect(manager.reload().errors.isEmpty)
        // Only A changes (its size): YES A 0.45 + NO B 0.50 is a basket only with B's current book.
        engine.apply(
            Self.book(.delta, "A", yes: [Level(price: 400_000, size: 600)]), venue: a.venue, receivedAt: Self.now + 2)
        engine.runCycle(now: Self.now + 2)
        #expect(engine.summary.opportunities["lane.cross_venue", default: 0] == 1)
    }
}
