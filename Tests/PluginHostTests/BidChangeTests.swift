import CArbPluginAPI
import Foundation
import PluginKit
import Testing

@testable import PluginHost

/// A stream frame's one changed bid level reaches the engine read in place (`BidChange`), not
/// as a `BookUpdate`: the two ways must leave the engine in the same state, decision for decision.
struct BidChangeTests {
    /// Only a delta of exactly one level on one side's bids is a bid change.
    @Test func onlyADeltaOfOneBidLevelIsABidChange() {
        var one = arb_level(price_micros: 420_000, size_centi: 1_250)
        var two = [one, one]
        let id = Array("KX-1".utf8)
        id.withUnsafeBufferPointer { idBytes in
            idBytes.withMemoryRebound(to: CChar.self) { chars in
                let marketID = arb_str(data: chars.baseAddress, len: chars.count)
                func update(
                    kind: Int = Int(ARB_BOOK_DELTA), yes: UnsafePointer<arb_level>? = nil, yesCount: UInt32 = 0,
                    no: UnsafePointer<arb_level>? = nil, noCount: UInt32 = 0, askCount: UInt32 = 0
                ) -> arb_book_update {
                    arb_book_update(
                        struct_size: UInt32(MemoryLayout<arb_book_update>.size), kind: UInt32(kind),
                        market_id: marketID, yes_bids: yes, yes_bid_count: yesCount, yes_ask_count: askCount,
                        yes_asks: askCount > 0 ? yes : nil, no_bids: no, no_bid_count: noCount, no_ask_count: 0,
                        no_asks: nil, venue_time_ns: 77, receive_time_ns: 5, venue_sequence: 9, stream_id: 0,
                        host_market: 0, reserved1: 0)
                }
                withUnsafePointer(to: &one) { p in
                    let yes = BidChange(update(yes: p, yesCount: 1))
                    #expect(yes?.side == .yes && yes?.level == Level(price: 420_000, size: 1_250))
                    #expect(yes.map { Array($0.marketID) } == id && yes?.venueTime == 77)
                    #expect(BidChange(update(no: p, noCount: 1))?.side == .no)
                    #expect(BidChange(update(kind: Int(ARB_BOOK_SNAPSHOT), yes: p, yesCount: 1)) == nil, "a snapshot")
                    #expect(BidChange(update(yes: p, yesCount: 1, no: p, noCount: 1)) == nil, "both sides")
                    #expect(BidChange(update(yes: p, yesCount: 1, askCount: 1)) == nil, "an ask with it")
                    #expect(BidChange(update()) == nil, "no level")
                    #expect(BidChange(update(yes: nil, yesCount: 1)) == nil, "a count without levels")
                }
                two.withUnsafeBufferPointer { p in
                    #expect(BidChange(update(yes: p.baseAddress, yesCount: 2)) == nil, "two levels")
                }
            }
        }
    }

    /// The same stream into two engines, one by `BookUpdate`s and one by bid changes: the same
    /// books, counters and decisions, through accepted levels, removals, refused prices and
    /// sizes, crossed books, unknown markets and a sequence gap.
    @Test func theEngineAppliesABidChangeAsTheSameDelta() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try LaneTests.writeFeeVenues(box)
        try box.write("20-intra.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        let manager = box.makeManager()
        #expect(manager.reload().errors.isEmpty)
        let now: Int64 = 1_764_072_000_000_000_000
        let keys = (0..<4).map { MarketKey(venue: $0 % 2 == 0 ? "kalshi" : "polymarket", marketID: "M-\($0)") }
        var options = Engine.Options()
        options.paper = false
        func makeEngine() -> (Engine, () -> [Decision]) {
            let engine = Engine(manager: manager, universe: Universe(groups: []), options: options)
            var decisions: [Decision] = []
            engine.onDecision = { decisions.append($0) }
            for key in keys {
                var m = MarketRecord(venue: key.venue, marketID: key.marketID, closeTime: now + 86_400_000_000_000)
                m.tick = 10_000
                engine.upsert(m)
            }
            return (engine, { decisions })
        }
        let (byUpdate, updateDecisions) = makeEngine()
        let (byChange, changeDecisions) = makeEngine()
        // A third takes the changes with the market handles a plugin keeps (ABI 1.4), now and
        // then a wrong one: another venue's market, another market of the venue, one from no
        // market at all. A wrong handle is ignored and the id looked up: the same books.
        let (byHandle, handleDecisions) = makeEngine()
        let routes = ["kalshi", "polymarket"].map { Engine.BidRoute(engine: byHandle, venue: $0) }
        func handle(_ id: String, _ venue: String) -> UInt32 {
            var id = id
            return id.withUTF8 { routes[venue == "kalshi" ? 0 : 1].marketHandle($0) }
        }
        #expect(keys.allSatisfy { handle($0.marketID, $0.venue) > 0 }, "every announced market has a handle")
        #expect(handle("M-0", "polymarket") == 0 && handle("UNKNOWN", "kalshi") == 0, "no handle for what is not there")
        for (i, key) in keys.enumerated() {
            var snapshot = BookUpdate(kind: .snapshot, marketID: key.marketID)
            snapshot.yesBids = [Level(price: 400_000, size: 500)]
            snapshot.noBids = [Level(price: 500_000, size: 500)]
            for engine in [byUpdate, byChange, byHandle] {
                engine.apply(snapshot, venue: key.venue, receivedAt: now + Int64(i))
            }
        }
        byUpdate.reportGap(venue: "kalshi", marketID: "M-2", time: now + 10)
        byChange.reportGap(venue: "kalshi", marketID: "M-2", time: now + 10)
        byHandle.reportGap(venue: "kalshi", marketID: "M-2", time: now + 10)
        var rng = SplitMix64(seed: 11)
        for step in 0..<3_000 {
            // Mostly four markets' ladders changing on the grid; now and then a price off the grid
            // or outside (0, 1), a negative size, a removal, or a market no venue announced.
            let market = rng.below(5) == 0 ? "UNKNOWN" : keys[Int(rng.below(UInt64(keys.count)))].marketID
            let venue = market == "UNKNOWN" || market.hasSuffix("0") || market.hasSuffix("2") ? "kalshi" : "polymarket"
            // Bids below 0.50 on both sides keep a book uncrossed; one in twenty crosses it.
            var price = MicroDollars(rng.below(49) + 1) * 10_000
            switch rng.below(40) {
            case 0: price += 5_000
            case 1: price = FixedPoint.micros
            case 2, 3: price += 500_000
            default: break
            }
            var size = CentiContracts(rng.below(4)) * 100
            if rng.below(50) == 0 { size = -100 }
            let side: Side = rng.below(2) == 0 ? .yes : .no
            let level = Level(price: price, size: size)
            let t = now + 100 + Int64(step)
            var update = BookUpdate(kind: .delta, marketID: market)
            if side == .yes { update.yesBids = [level] } else { update.noBids = [level] }
            update.venueTime = t - 3
            byUpdate.apply(update, venue: venue, receivedAt: t)
            var id = market
            id.withUTF8 { bytes in
                // Through the route a venue session calls, as the driver sets it up.
                let change = BidChange(marketID: bytes, side: side, level: level, venueTime: t - 3)
                Engine.BidRoute(engine: byChange, venue: venue).receive(change, at: t)
                var handled = change
                switch rng.below(20) {
                case 0: handled.hostMarket = handle("M-1", "polymarket")  // another venue's, or the same market
                case 1: handled.hostMarket = handle(market == "M-0" ? "M-2" : "M-0", "kalshi")  // another market
                case 2: handled.hostMarket = UInt32(rng.below(1_000))  // no market, or any
                default: handled.hostMarket = handle(market, venue)
                }
                routes[venue == "kalshi" ? 0 : 1].receive(handled, at: t)
            }
            if step % 10 == 9 { for engine in [byUpdate, byChange, byHandle] { engine.runCycle(now: t) } }
        }
        for key in keys {
            #expect(byUpdate.book(key)?.quote(receivedAt: 0) == byChange.book(key)?.quote(receivedAt: 0), "\(key)")
            #expect(byUpdate.book(key)?.quote(receivedAt: 0) == byHandle.book(key)?.quote(receivedAt: 0), "\(key)")
        }
        let (a, b) = (byUpdate.summary, byChange.summary)
        #expect(a.updates == 3_004 && b.updates == 3_004)
        #expect(a.dataQuality == b.dataQuality)
        for reason in [QuoteRejection.unknownMarket, .offTick, .outOfRange, .crossed] {
            #expect(a.dataQuality[reason] > 0, "the stream exercises \(reason)")
        }
        #expect(a.opportunities == b.opportunities && a.groupsEvaluated == b.groupsEvaluated)
        #expect(updateDecisions().count > 100)
        #expect(updateDecisions() == changeDecisions())
        #expect(updateDecisions() == handleDecisions())
        #expect(byHandle.summary.dataQuality == a.dataQuality)
    }
}
