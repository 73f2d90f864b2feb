import Foundation
import PluginHost
import PluginKit
import Testing

struct SuggesterTests {
    static func market(_ venue: String, _ id: String, _ title: String, event: String = "", close: Int64 = 0)
        -> MarketRecord
    {
        var m = MarketRecord(venue: venue, marketID: id, title: title, closeTime: close)
        m.eventID = event
        return m
    }

    @Test func pairsNeedSimilarTitlesEqualNumbersAndCloseTimes() {
        let day: Int64 = 86_400_000_000_000
        let markets = [
            Self.market(
                "kalshi", "KXFED-26DEC-T4.00", "Fed funds rate above 4.00% after December 2026 meeting", close: 10 * day
            ),
            Self.market(
                "polymarket", "0xa", "Fed funds rate above 4% after the December 2026 meeting?", close: 10 * day),
            // Same words, other strike: not the same question.
            Self.market(
                "polymarket", "0xb", "Fed funds rate above 4.25% after the December 2026 meeting?", close: 10 * day),
            // Same words and strike, a month apart: not the same question either.
            Self.market("forecastex", "123", "Fed funds rate above 4.00% after December 2026 meeting", close: 40 * day),
            Self.market("polymarket", "0xc", "Will it rain in Paris tomorrow?"),
        ]
        let pairs = Suggester().pairs(markets)
        #expect(pairs.map { "\($0.left.marketID)~\($0.right.marketID)" } == ["KXFED-26DEC-T4.00~0xa"])
        #expect(pairs[0].score >= 500_000)
        // The review file is a mapping CSV whose rows load unreviewed.
        let csv = Suggester.reviewCSV(pairs)
        #expect(csv.hasPrefix("group_id,kalshi_market_id,polymarket_market_id,reviewed,polarity,score"))
        #expect(csv.contains(",false,same,"))
    }

    /// The real Kalshi BTC ladder: "$74,300 or above" implies "$74,200 or above".
    @Test func realKalshiLadderIsSuggestedHighestStrikeFirst() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: sharedData + "/real/kalshi_markets_btc_ladder.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let markets = (root["markets"] as! [[String: Any]]).map {
            Self.market(
                "kalshi", $0["ticker"] as! String, "\($0["title"] as! String) \($0["yes_sub_title"] as! String)",
                event: $0["event_ticker"] as! String)
        }
        let rules = Suggester().dependencies(markets)
        let ladder = try #require(rules.first { $0.isLadder })
        #expect(ladder.members.count == markets.count)
        #expect(ladder.members.first?.key.marketID == "KXBTCD-26JUL2502-T74299.99")
        #expect(ladder.members.map(\.strike) == ladder.members.map(\.strike).sorted(by: >))
        #expect(!ladder.isReviewed)
    }

    @Test func deadlinesAndComplements() {
        let day: Int64 = 86_400_000_000_000
        let markets = [
            Self.market("kalshi", "IPO-MAR", "Will X IPO by March 31, 2026?", event: "IPO", close: 90 * day),
            Self.market("kalshi", "IPO-DEC", "Will X IPO by December 31, 2026?", event: "IPO", close: 365 * day),
            Self.market("kalshi", "T-ABOVE", "Temperature above 80 in NYC", event: "T"),
            Self.market("kalshi", "T-BELOW", "Temperature 80 or below in NYC", event: "T"),
        ]
        let rules = Suggester().dependencies(markets)
        let deadlines = rules.first { $0.groupID.hasPrefix("suggested-deadlines") }
        #expect(
            deadlines?.members.map(\.key.marketID) == ["IPO-MAR", "IPO-DEC"], "the earlier deadline implies the later")
        let complement = rules.first { $0.kind == .parity }
        #expect(complement?.members.map(\.key.marketID).sorted() == ["T-ABOVE", "T-BELOW"])
        #expect(complement?.members[1].isInverted == true)
        #expect(rules.allSatisfy { !$0.isReviewed })
        // The rules file format keeps them unreviewed.
        let again = try? RulesFile.load(data: RulesFile.encode(rules), file: "r.json")
        #expect(again?.count == rules.count && again?.allSatisfy { !$0.isReviewed } == true)
    }
}
