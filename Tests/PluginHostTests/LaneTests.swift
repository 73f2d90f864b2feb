import CArbPluginAPI
import Foundation
import PluginHost
import PluginKit
import Testing

/// The five lanes as loaded plugins, checked by an independent payoff enumerator: every basket
/// any lane reports must pay at least what it cost, fees included, in every possible state.
@Suite(.serialized) struct LaneTests {
    static let now: Int64 = 1_764_072_000_000_000_000
    static let week: Int64 = 7 * 86_400_000_000_000
    /// Kalshi's taker coefficient, and a lower one for the second venue.
    static let coefficients: [String: Int64] = ["kalshi": 70_000, "polymarket": 40_000]

    /// Two simulated venues named as the real ones, with their taker coefficients (`coefficients`).
    static func writeFeeVenues(_ box: Sandbox) throws {
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
    }

    static func loadLanes(laneConfig: String = "") throws -> (Sandbox, PluginManager) {
        let box = try Sandbox()
        try writeFeeVenues(box)
        for (i, lane) in [
            ("lane.cross_venue", "libCrossVenueLane.so"), ("lane.bucket", "libBucketLane.so"),
            ("lane.parity", "libParityLane.so"), ("lane.event_tree", "libEventTreeLane.so"),
        ].enumerated() {
            try box.write(
                "2\(i)-lane.toml", manifest(id: lane.0, kind: "lane", library: lane.1, config: laneConfig))
        }
        let manager = box.makeManager()
        let report = manager.reload()
        #expect(report.errors.isEmpty, "\(report.errors)")
        return (box, manager)
    }

    /// One group with its books, ready for the lanes and the enumerator.
    struct Case {
        var rule: GroupRule
        var yesAsks: [[Level]]
        var noAsks: [[Level]]
        /// Best bids per member (none unless a test sets them).
        var yesBids: [Level?] = []
        var noBids: [Level?] = []

        func snapshot() -> GroupSnapshot {
            let markets = rule.members.map { m -> MarketRecord in
                var r = MarketRecord(
                    venue: m.key.venue, marketID: m.key.marketID, closeTime: LaneTests.now + LaneTests.week)
                r.tick = 10_000
                return r
            }
            let s = GroupSnapshot(rule: rule, markets: markets)
            for i in rule.members.indices {
                var q = QuoteRecord(
                    yesBid: yesBids.isEmpty ? nil : yesBids[i], yesAsks: yesAsks[i],
                    noBid: noBids.isEmpty ? nil : noBids[i], noAsks: noAsks[i])
                q.receiveTime = LaneTests.now
                s.setQuote(q, at: i)
            }
            s.setNow(LaneTests.now)
            return s
        }

        var enumerator: PayoffEnumerator {
            PayoffEnumerator(
                rule: rule, yesAsks: yesAsks, noAsks: noAsks,
                feeCoefficient: rule.members.map { LaneTests.coefficients[$0.key.venue]! })
        }
    }

    /// Runs every lane that takes the group's kind; checks each basket; returns them.
    @discardableResult
    static func evaluate(_ c: Case, _ manager: PluginManager, seed: UInt64 = 0) throws -> [FoundOpportunity] {
        let snapshot = c.snapshot()
        var all: [FoundOpportunity] = []
        for lane in manager.pipeline.lanes where lane.laneKindMask & (1 << c.rule.kind.rawValue) != 0 {
            for o in try lane.evaluate(snapshot) {
                let verdict = c.enumerator.check(o.opportunity)
                #expect(verdict.problems.isEmpty, "seed \(seed) \(c.rule.groupID) \(o.laneID): \(verdict.problems)")
                #expect(
                    verdict.worstProfit >= 0,
                    "seed \(seed) \(c.rule.groupID) \(o.laneID): loses \(verdict.worstProfit) µ$ in its worst state; \(o.opportunity)"
                )
                all.append(o)
            }
        }
        return all
    }

    static func ladder(_ rng: inout SplitMix64) -> [Level] {
        var price = Int64(1 + rng.below(97)) * 10_000
        return (0..<Int(1 + rng.below(3))).compactMap { _ in
            defer { price += Int64(1 + rng.below(3)) * 10_000 }
            return price < 1_000_000 ? Level(price: price, size: Int64(1 + rng.below(50)) * 100) : nil
        }
    }

    static func randomRule(_ kind: Int, _ i: Int, _ rng: inout SplitMix64) -> GroupRule {
        func key(_ venue: String, _ j: Int) -> MarketKey { MarketKey(venue: venue, marketID: "M\(i)-\(j)") }
        switch kind {
        case 0:
            return GroupRule(
                kind: .pair, groupID: "pair\(i)",
                members: [
                    .init(key: key("kalshi", 0)), .init(key: key("polymarket", 1), isInverted: rng.below(2) == 0),
                ],
                source: "random")
        case 1:
            return GroupRule(
                kind: .parity, groupID: "parity\(i)",
                members: [.init(key: key("kalshi", 0)), .init(key: key("kalshi", 1), isInverted: rng.below(2) == 0)],
                source: "random")
        case 2:
            var r = GroupRule(
                kind: .bucket, groupID: "bucket\(i)",
                members: (0..<Int(2 + rng.below(5))).map {
                    .init(key: key("kalshi", $0), isInverted: rng.below(8) == 0)
                },
                source: "random")
            r.isExhaustive = rng.below(2) == 0
            return r
        case 3:
            var r = GroupRule(
                kind: .tree, groupID: "tree\(i)",
                members: (0..<Int(3 + rng.below(3))).map { .init(key: key("kalshi", $0), role: $0 == 0 ? 0 : 1) },
                source: "random")
            r.isExhaustive = rng.below(2) == 0
            return r
        default:
            var r = GroupRule(
                kind: .tree, groupID: "ladder\(i)",
                members: (0..<Int(2 + rng.below(4))).map { .init(key: key("kalshi", $0), role: Int32($0)) },
                source: "random")
            r.isLadder = true
            return r
        }
    }

    @Test func everyBasketOnRandomBooksPaysInEveryState() throws {
        let (box, manager) = try Self.loadLanes()
        defer { box.remove() }
        var checked = [Int](repeating: 0, count: 5)
        for kind in 0..<5 {
            for i in 0..<300 {
                let seed = UInt64(kind * 1_000 + i)
                var rng = SplitMix64(seed: seed)
                let rule = Self.randomRule(kind, i, &rng)
                let c = Case(
                    rule: rule, yesAsks: rule.members.map { _ in Self.ladder(&rng) },
                    noAsks: rule.members.map { _ in Self.ladder(&rng) })
                checked[kind] += try Self.evaluate(c, manager, seed: seed).count
            }
        }
        // Independent random books are often inconsistent: every kind must have been exercised.
        #expect(checked.allSatisfy { $0 >= 20 }, "baskets checked per kind: \(checked)")
    }

    /// The checker itself must reject what a careless lane would report.
    @Test func enumeratorCatchesUnsafeBaskets() {
        let keys = ["E", "F", "G"].map { GroupRule.Member(key: MarketKey(venue: "kalshi", marketID: $0)) }
        var rule = GroupRule(kind: .bucket, groupID: "b", members: keys, source: "t")
        let books = [Self.level(200_000), Self.level(250_000), Self.level(400_000)]
        let allYes = Opportunity(
            legs: (0..<3).map { Leg(memberIndex: UInt32($0), side: .yes, limitPrice: 400_000, fee: 0) },
            payout: 1_000_000, cost: 850_000, maxBaskets: 100)
        let exhaustive = { (e: Bool) -> PayoffEnumerator.Verdict in
            rule.isExhaustive = e
            return PayoffEnumerator(
                rule: rule, yesAsks: books, noAsks: books, feeCoefficient: [70_000, 70_000, 70_000]
            )
            .check(allYes)
        }
        #expect(exhaustive(true).problems.isEmpty && exhaustive(true).worstProfit > 0)
        #expect(!exhaustive(false).problems.isEmpty, "the none-of-them state pays 0")
        #expect(exhaustive(false).worstProfit < 0)
        // Fees count: at 0.97 for three legs the fees turn a 3-cent gap into a loss.
        let thin = [Self.level(320_000), Self.level(320_000), Self.level(330_000)]
        rule.isExhaustive = true
        let verdict = PayoffEnumerator(
            rule: rule, yesAsks: thin, noAsks: thin, feeCoefficient: [70_000, 70_000, 70_000]
        )
        .check(
            Opportunity(
                legs: (0..<3).map { Leg(memberIndex: UInt32($0), side: .yes, limitPrice: 330_000, fee: 0) },
                payout: 1_000_000, cost: 970_000, maxBaskets: 100))
        #expect(verdict.worstProfit < 0, "ceil(0.07·1·0.32·0.68) = 2¢ per leg: 3¢ of edge minus 6¢ of fees")
    }

    static func level(_ price: Int64, _ contracts: Int64 = 100) -> [Level] {
        [Level(price: price, size: contracts * 100)]
    }

    @Test func plantedMispricingsOfEveryKindAreFound() throws {
        let (box, manager) = try Self.loadLanes()
        defer { box.remove() }
        let k = { (id: String) in MarketKey(venue: "kalshi", marketID: id) }
        let p = { (id: String) in MarketKey(venue: "polymarket", marketID: id) }
        // Cross-venue: YES 0.45 on Kalshi + NO 0.50 on Polymarket.
        let pair = Case(
            rule: GroupRule(
                kind: .pair, groupID: "pair", members: [.init(key: k("A")), .init(key: p("B"))], source: "t"),
            yesAsks: [Self.level(450_000), Self.level(560_000)], noAsks: [Self.level(600_000), Self.level(500_000)])
        let pairFound = try Self.evaluate(pair, manager)
        #expect(pairFound.count == 1 && pairFound[0].laneID == "lane.cross_venue")
        #expect(pairFound.first?.legs.map(\.side) == [.yes, .no])
        // Complement: YES_A 0.30 + YES_B 0.60.
        let parity = Case(
            rule: GroupRule(
                kind: .parity, groupID: "parity", members: [.init(key: k("C")), .init(key: k("D"), isInverted: true)],
                source: "t"),
            yesAsks: [Self.level(300_000), Self.level(600_000)], noAsks: [Self.level(750_000), Self.level(450_000)])
        let parityFound = try Self.evaluate(parity, manager)
        #expect(parityFound.map(\.laneID) == ["lane.parity"])
        #expect(parityFound.first?.legs.map(\.side) == [.yes, .yes])
        // Exhaustive bucket: YES asks sum to 0.85.
        var bucketRule = GroupRule(
            kind: .bucket, groupID: "bucket", members: ["E", "F", "G"].map { .init(key: k($0)) }, source: "t")
        bucketRule.isExhaustive = true
        let bucket = Case(
            rule: bucketRule, yesAsks: [Self.level(200_000), Self.level(250_000), Self.level(400_000)],
            noAsks: [Self.level(820_000), Self.level(770_000), Self.level(620_000)])
        let bucketFound = try Self.evaluate(bucket, manager)
        #expect(bucketFound.contains { $0.legs.allSatisfy { $0.side == .yes } }, "buy-all-YES on the exhaustive bucket")
        // The same books on a bucket that is only "at most one": never buy-all-YES.
        bucketRule.isExhaustive = false
        let notExhaustive = try Self.evaluate(
            Case(rule: bucketRule, yesAsks: bucket.yesAsks, noAsks: bucket.noAsks), manager)
        #expect(!notExhaustive.contains { $0.legs.allSatisfy { $0.side == .yes } })
        // Partition tree: parent NO 0.40 + children YES 0.20 + 0.20.
        var treeRule = GroupRule(
            kind: .tree, groupID: "tree",
            members: [.init(key: k("P"), role: 0), .init(key: k("C1"), role: 1), .init(key: k("C2"), role: 1)],
            source: "t")
        treeRule.isExhaustive = true
        let tree = Case(
            rule: treeRule, yesAsks: [Self.level(620_000), Self.level(200_000), Self.level(200_000)],
            noAsks: [Self.level(400_000), Self.level(820_000), Self.level(820_000)])
        let treeFound = try Self.evaluate(tree, manager)
        #expect(treeFound.contains { $0.legs.map(\.side) == [.no, .yes, .yes] })
        // Ladder: P(> 3.5) bid above P(> 3.0) ask: YES(3.0) 0.42 + NO(3.5) 0.50.
        var ladderRule = GroupRule(
            kind: .tree, groupID: "ladder",
            members: [.init(key: k("T3.5"), role: 0), .init(key: k("T3.0"), role: 1)], source: "t")
        ladderRule.isLadder = true
        let ladder = Case(
            rule: ladderRule, yesAsks: [Self.level(520_000), Self.level(420_000)],
            noAsks: [Self.level(500_000), Self.level(600_000)])
        let ladderFound = try Self.evaluate(ladder, manager)
        #expect(ladderFound.count == 1)
        #expect(ladderFound.first.map { Set($0.legs.map { "\($0.memberIndex)\($0.side)" }) } == ["1yes", "0no"])
    }

    @Test func unreviewedPairsAreNotTradedUnlessAllowed() throws {
        let k = MarketKey(venue: "kalshi", marketID: "A")
        let p = MarketKey(venue: "polymarket", marketID: "B")
        var rule = GroupRule(kind: .pair, groupID: "pair", members: [.init(key: k), .init(key: p)], source: "t")
        rule.isReviewed = false
        let c = Case(
            rule: rule, yesAsks: [Self.level(450_000), Self.level(560_000)],
            noAsks: [Self.level(600_000), Self.level(500_000)])
        let (box, manager) = try Self.loadLanes()
        #expect(try Self.evaluate(c, manager).isEmpty)
        box.remove()
        let (box2, allowing) = try Self.loadLanes(laneConfig: "allow_unreviewed = true")
        defer { box2.remove() }
        #expect(try Self.evaluate(c, allowing).count == 1)
    }

    /// What the lanes find in `c` with their default settings, then with the maker estimate on
    /// (five baskets).
    static func findWithoutAndWithMakerEstimate(_ c: Case) throws -> (off: [FoundOpportunity], on: [FoundOpportunity]) {
        let (box, manager) = try loadLanes()
        let off = try evaluate(c, manager)
        box.remove()
        let (box2, estimating) = try loadLanes(laneConfig: "maker_estimate = true\nmaker_baskets = \"5\"")
        defer { box2.remove() }
        return (off, try evaluate(c, estimating))
    }

    /// Wide books: no taker basket clears, but posting one tick above both best bids would.
    @Test func makerEstimatesWhenConfigured() throws {
        let k = MarketKey(venue: "kalshi", marketID: "A")
        let p = MarketKey(venue: "polymarket", marketID: "B")
        let rule = GroupRule(kind: .pair, groupID: "pair", members: [.init(key: k), .init(key: p)], source: "t")
        // YES bid 0.40 / ask 0.60 on A; NO bid 0.50 / ask 0.70 on B. Taker: 0.60 + 0.70. Maker: 0.41 + 0.51.
        var c = Case(
            rule: rule, yesAsks: [Self.level(600_000), Self.level(600_000)],
            noAsks: [Self.level(700_000), Self.level(700_000)])
        c.yesBids = [Level(price: 400_000, size: 10_000), nil]
        c.noBids = [nil, Level(price: 500_000, size: 10_000)]
        let (off, found) = try Self.findWithoutAndWithMakerEstimate(c)
        #expect(off.isEmpty, "off by default")
        #expect(found.count == 1)
        let o = try #require(found.first)
        #expect(o.opportunity.isMakerEstimate && o.legs.allSatisfy { $0.liquidity == .maker })
        #expect(o.legs.map(\.limitPrice) == [410_000, 510_000])
        #expect(o.maxBaskets == 500)
    }

    /// The bucket lane screens on best asks before building its legs; with the maker estimate on,
    /// a bucket whose asks fail that screen must still be priced from its bids.
    @Test func bucketMakerEstimateIsNotScreenedOutByItsAsks() throws {
        let keys = (0..<3).map { MarketKey(venue: "kalshi", marketID: "B\($0)") }
        let rule = GroupRule(kind: .bucket, groupID: "wide", members: keys.map { .init(key: $0) }, source: "t")
        // Buy-all-NO pays $2. Taker: 3 × 0.80 = 2.40. Maker: 3 × (0.55 + 0.01) = 1.68.
        var c = Case(
            rule: rule, yesAsks: Array(repeating: Self.level(400_000), count: 3),
            noAsks: Array(repeating: Self.level(800_000), count: 3))
        c.noBids = Array(repeating: Level(price: 550_000, size: 10_000), count: 3)
        let (off, found) = try Self.findWithoutAndWithMakerEstimate(c)
        #expect(off.isEmpty, "no taker basket, maker estimate off")
        let o = try #require(found.first)
        #expect(found.count == 1 && o.opportunity.isMakerEstimate)
        #expect(o.legs.map(\.limitPrice) == [560_000, 560_000, 560_000] && o.legs.allSatisfy { $0.side == .no })
    }

    /// KXNEXTNATOSECGEN-99: eight candidates, flagged mutually exclusive by Kalshi, YES asks sum to
    /// $0.99. "Someone else" can win, so buy-all-YES is not an arbitrage; fees alone would also sink it.
    @Test func realKalshiEventSummingTo99CentsIsNotAnArbitrage() throws {
        let data = try Data(
            contentsOf: URL(fileURLWithPath: sharedData + "/real/kalshi_events_nested_mutually_exclusive.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let event = (root["events"] as! [[String: Any]]).first {
            $0["event_ticker"] as? String == "KXNEXTNATOSECGEN-99"
        }!
        let markets = event["markets"] as! [[String: Any]]
        func micros(_ m: [String: Any], _ key: String) -> Int64 {
            FixedPoint.parse(m[key] as! String, scale: 1_000_000)!
        }
        func centi(_ m: [String: Any], _ key: String) -> Int64 { FixedPoint.parse(m[key] as! String, scale: 100)! }
        #expect(markets.count == 8)
        #expect(markets.map { micros($0, "yes_ask_dollars") }.reduce(0, +) == 990_000)
        let rule = GroupRule(
            kind: .bucket, groupID: "KXNEXTNATOSECGEN-99",
            members: markets.map { .init(key: MarketKey(venue: "kalshi", marketID: $0["ticker"] as! String)) },
            source: "real")
        #expect(!rule.isExhaustive)
        let c = Case(
            rule: rule,
            yesAsks: markets.map { [Level(price: micros($0, "yes_ask_dollars"), size: centi($0, "yes_ask_size_fp"))] },
            noAsks: markets.map { [Level(price: micros($0, "no_ask_dollars"), size: 500)] })
        let (box, manager) = try Self.loadLanes()
        defer { box.remove() }
        let found = try Self.evaluate(c, manager)
        #expect(!found.contains { $0.legs.allSatisfy { $0.side == .yes } })
    }

    /// The original system's generated rules (245 buckets, 592 parity pairs) with random books on
    /// every market they name: whatever the lanes report must pass the enumerator.
    @Test func realRulesFileWithRandomBooks() throws {
        let path = sharedData + "/arb-bot/structural_rules.generated.v2_with_parity.json"
        let rules = try RulesFile.load(data: try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
        #expect(rules.count == 245 + 592)
        let (box, manager) = try Self.loadLanes()
        defer { box.remove() }
        var rng = SplitMix64(seed: 20_260_212)
        var checked = 0
        for rule in rules {
            let c = Case(
                rule: rule, yesAsks: rule.members.map { _ in Self.ladder(&rng) },
                noAsks: rule.members.map { _ in Self.ladder(&rng) })
            checked += try Self.evaluate(c, manager).count
        }
        #expect(checked > 100, "baskets checked: \(checked)")
    }
}

/// ../shared/data beside the checkout.
let sharedData = repositoryRoot + "/../shared/data"
