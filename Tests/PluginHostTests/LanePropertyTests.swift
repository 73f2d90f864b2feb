import PluginHost
import PluginKit
import PropertyBased
import Testing

/// The payoff property, generated and shrunk by PropertyBased: for any group of any kind and any
/// books, every basket a lane reports pays at least its cost plus the venues' fees in every
/// state the group allows. A failure is reported with its smallest failing books and the seed
/// that reproduces it (`.fixedSeed(…)`).
@Suite(.serialized) struct LanePropertyTests {
    /// An ask ladder: a start price in cents and 1–3 levels, each a step up of 1–3 cents and a
    /// size of 1–50 contracts. Prices past 99¢ are dropped, as a venue has none there.
    static let ladder = zip(Gen.int(in: 1...97), zip(Gen.int(in: 1...3), Gen.int(in: 1...50)).array(of: 1...3))
        .map { start, steps -> [Level] in
            var price = Int64(start) * 10_000
            return steps.compactMap { step, size in
                defer { price += Int64(step) * 10_000 }
                return price < 1_000_000 ? Level(price: price, size: Int64(size) * 100) : nil
            }
        }

    /// A group: its kind (pair, parity, bucket, tree, ladder), up to six members' YES and NO ask
    /// ladders, which members are inverted, and whether the set is exhaustive.
    static let group = zip(
        Gen.int(in: 0...4), Gen.int(in: 2...6), ladder.array(of: 6), ladder.array(of: 6), Gen.bool().array(of: 6),
        Gen.bool())

    static func rule(kind: Int, members: Int, inverted: [Bool], exhaustive: Bool) -> GroupRule {
        func key(_ venue: String, _ j: Int) -> MarketKey { MarketKey(venue: venue, marketID: "P-\(j)") }
        switch kind {
        case 0:
            return GroupRule(
                kind: .pair, groupID: "pair",
                members: [.init(key: key("kalshi", 0)), .init(key: key("polymarket", 1), isInverted: inverted[1])],
                source: "property")
        case 1:
            return GroupRule(
                kind: .parity, groupID: "parity",
                members: [.init(key: key("kalshi", 0)), .init(key: key("kalshi", 1), isInverted: inverted[1])],
                source: "property")
        case 2:
            var r = GroupRule(
                kind: .bucket, groupID: "bucket",
                members: (0..<members).map { .init(key: key("kalshi", $0), isInverted: inverted[$0]) },
                source: "property")
            r.isExhaustive = exhaustive
            return r
        case 3:
            var r = GroupRule(
                kind: .tree, groupID: "tree",
                members: (0..<max(3, members)).map { .init(key: key("kalshi", $0), role: $0 == 0 ? 0 : 1) },
                source: "property")
            r.isExhaustive = exhaustive
            return r
        default:
            var r = GroupRule(
                kind: .tree, groupID: "ladder",
                members: (0..<members).map { .init(key: key("kalshi", $0), role: Int32($0)) }, source: "property")
            r.isLadder = true
            return r
        }
    }

    @Test func everyReportedBasketPaysInEveryStateAfterFees() async throws {
        let (box, manager) = try LaneTests.loadLanes()
        defer { box.remove() }
        var baskets = 0
        var kindsWithBaskets: Set<Int> = []
        await propertyCheck(count: 1_500, input: Self.group) { kind, members, yes, no, inverted, exhaustive in
            let rule = Self.rule(kind: kind, members: members, inverted: inverted, exhaustive: exhaustive)
            let n = rule.members.count
            let c = LaneTests.Case(rule: rule, yesAsks: Array(yes.prefix(n)), noAsks: Array(no.prefix(n)))
            let found = try LaneTests.evaluate(c, manager)
            baskets += found.count
            if !found.isEmpty { kindsWithBaskets.insert(kind) }
        }
        // Independent books are often inconsistent: the property must have been exercised on every kind.
        #expect(baskets > 100, "baskets checked: \(baskets)")
        #expect(kindsWithBaskets == [0, 1, 2, 3, 4], "kinds with a basket: \(kindsWithBaskets.sorted())")
    }
}
