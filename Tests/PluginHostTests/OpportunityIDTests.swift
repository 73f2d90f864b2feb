import PluginKit
import Testing

@testable import PluginHost

/// Basket ids key idempotency in the store: they must not change when their computation does.
struct OpportunityIDTests {
    /// The id as first written: keys built by interpolation, sorted as strings.
    static func reference(_ legs: [(market: MarketKey, side: Side)]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let keys = legs.map { "\($0.market.venue)\u{1}\($0.market.marketID)\u{1}\($0.side == .yes ? "Y" : "N")" }
            .sorted()
        for key in keys {
            for byte in key.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The id the engine writes for a basket it keeps.
    static func basket(_ legs: [(market: MarketKey, side: Side)]) -> String {
        OpportunityID.hex(OpportunityID.basketHash(legs))
    }

    @Test func basketIDsAreTheOnesFirstWrittenWhateverTheLegOrder() {
        var rng = SplitMix64(seed: 11)
        // Venues that prefix one another, ids that prefix one another, non-ASCII text in normal form C.
        let venues = ["kalshi", "kalshix", "polymarket", "forecastex", "sim"]
        let ids = [
            "KXFED-26DEC-T4.00", "KXFED-26DEC-T4.0", "KXFED-26DEC", "0x" + String(repeating: "ab", count: 32), "A", "B",
            "Zürich-2026", "Zurich-2026", "東京-1", "élection-2027",
        ]
        for _ in 0..<500 {
            let legs = (0..<(1 + Int(rng.below(30)))).map { _ in
                (
                    market: MarketKey(
                        venue: venues[Int(rng.below(UInt64(venues.count)))],
                        marketID: ids[Int(rng.below(UInt64(ids.count)))]
                            + (rng.below(2) == 0 ? "" : "-\(rng.below(50))")),
                    side: rng.below(2) == 0 ? Side.yes : .no
                )
            }
            let id = Self.basket(legs)
            #expect(id == Self.reference(legs), "\(legs.map { "\($0.market):\($0.side)" })")
            #expect(id == Self.basket(legs.reversed()))
            #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
        }
    }

    @Test func hexWritesSixteenLowercaseDigitsLikeStringRadix() {
        var rng = SplitMix64(seed: 12)
        let edges: [UInt64] = [0, 1, 0xf, 0x10, 0xabc, 1 << 63, .max, .max - 1, 0x0123_4567_89ab_cdef]
        for value in edges + (0..<2_000).map({ _ in rng.next() >> rng.below(64) }) {
            let padded = String(repeating: "0", count: 16 - String(value, radix: 16).count) + String(value, radix: 16)
            #expect(OpportunityID.hex(value) == padded)
            #expect(OpportunityID.hex(value).utf8.count == 16)
        }
    }

    @Test func aLegsSideIsPartOfTheBasket() {
        let a = MarketKey(venue: "kalshi", marketID: "A")
        let b = MarketKey(venue: "polymarket", marketID: "B")
        #expect(Self.basket([(a, .yes), (b, .no)]) != Self.basket([(a, .no), (b, .yes)]))
    }
}
