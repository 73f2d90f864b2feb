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
        try LaneTests.writeFeeVenues(box)
        let manager = box.makeManager()
        func setLane(enabled: Bool) throws {
            try box.write(
                "20-cross.toml",
                manifest(
                    id: "lane.cross_venue", kind: "lane", library: "libCrossVenueLane.so",
                    extra: "enabled = \(enabled)"))
            #expect(manager.reload().errors.isEmpty)
        }
        try setLane(enabled: true)
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
        /// One book update of `key`'s market at `t`, then the engine's cycle.
        func step(_ kind: BookUpdate.Kind, _ key: MarketKey, yes: [Level], no: [Level] = [], at t: Int64) {
            engine.apply(Self.book(kind, key.marketID, yes: yes, no: no), venue: key.venue, receivedAt: t)
            engine.runCycle(now: t)
        }
        // A: YES ask 0.45. B: NO ask 0.56 — together $1.01, no basket.
        step(
            .snapshot, a, yes: [Level(price: 400_000, size: 500)], no: [Level(price: 550_000, size: 500)], at: Self.now)
        step(
            .snapshot, b, yes: [Level(price: 440_000, size: 500)], no: [Level(price: 440_000, size: 500)], at: Self.now)
        #expect(engine.summary.groupsEvaluated > 0)
        try setLane(enabled: false)
        // B's YES bid rises to 0.50 (its NO ask falls to 0.50) while no lane evaluates the pair.
        step(.delta, b, yes: [Level(price: 500_000, size: 500)], at: Self.now + 1)
        #expect(engine.summary.opportunities["lane.cross_venue", default: 0] == 0)

        try setLane(enabled: true)
        // Only A changes (its size): YES A 0.45 + NO B 0.50 is a basket only with B's current book.
        step(.delta, a, yes: [Level(price: 400_000, size: 600)], at: Self.now + 2)
        #expect(engine.summary.opportunities["lane.cross_venue", default: 0] == 1)
    }
}
