import CArbPluginAPI
import PluginKit
import Testing

@testable import PluginHost

/// The book against a plain model of it: four price → size maps, asks derived from the other
/// side's bids at the pair price when a venue gives none.
struct BinaryBookTests {
    struct Model {
        var sides: [[MicroDollars: CentiContracts]] = [[:], [:], [:], [:]]  // YES bids, NO bids, YES asks, NO asks
        var pairPrice = FixedPoint.micros

        mutating func apply(_ u: BookUpdate) {
            if u.kind == .snapshot { sides = [[:], [:], [:], [:]] }
            for (i, levels) in [u.yesBids, u.noBids, u.yesAsks, u.noAsks].enumerated() {
                for l in levels { sides[i][l.price] = l.size > 0 ? l.size : nil }
            }
        }

        func asks(_ side: Side) -> [Level] {
            let explicit = sides[side == .yes ? 2 : 3]
            if !explicit.isEmpty {
                return explicit.sorted { $0.key < $1.key }.map { Level(price: $0.key, size: $0.value) }
            }
            return sides[side == .yes ? 1 : 0].sorted { $0.key > $1.key }
                .map { Level(price: pairPrice - $0.key, size: $0.value) }
        }

        func bestBid(_ side: Side) -> Level? {
            if let best = sides[side == .yes ? 0 : 1].max(by: { $0.key < $1.key }) {
                return Level(price: best.key, size: best.value)
            }
            return sides[side == .yes ? 3 : 2].min(by: { $0.key < $1.key })
                .map { Level(price: pairPrice - $0.key, size: $0.value) }
        }
    }

    static func levels(_ rng: inout SplitMix64, _ n: Int, zeroOdds: UInt64 = 4) -> [Level] {
        (0..<n).map { _ in
            Level(
                price: MicroDollars(1 + rng.below(99)) * 10_000,
                size: rng.below(zeroOdds) == 0 ? 0 : CentiContracts(1 + rng.below(10_000)))
        }
    }

    static func expectSame(_ book: BinaryBook, _ model: Model, _ context: String) {
        #expect(book.asks(.yes) == model.asks(.yes), "\(context)")
        #expect(book.asks(.no) == model.asks(.no), "\(context)")
        #expect(book.bestYesAsk == model.asks(.yes).first && book.bestNoAsk == model.asks(.no).first, "\(context)")
        #expect(book.bestYesBid == model.bestBid(.yes) && book.bestNoBid == model.bestBid(.no), "\(context)")
        // The lanes' quote points at the same ladders.
        let c = book.cQuote(receivedAt: 7)
        func ladder(_ p: UnsafePointer<arb_level>?, _ n: UInt32) -> [Level] {
            (0..<Int(n)).map { Level(price: p![$0].price_micros, size: p![$0].size_centi) }
        }
        #expect(ladder(c.yes_asks, c.yes_ask_count) == model.asks(.yes), "\(context)")
        #expect(ladder(c.no_asks, c.no_ask_count) == model.asks(.no), "\(context)")
        // Each best in the quote, price and size (-1 and 0 where there is none).
        func best(_ l: Level?) -> [Int64] { [l?.price ?? -1, l?.size ?? 0] }
        #expect([c.yes_bid_micros, c.yes_bid_centi] == best(model.bestBid(.yes)), "\(context)")
        #expect([c.no_bid_micros, c.no_bid_centi] == best(model.bestBid(.no)), "\(context)")
        #expect([c.yes_ask_micros, c.yes_ask_centi] == best(model.asks(.yes).first), "\(context)")
        #expect([c.no_ask_micros, c.no_ask_centi] == best(model.asks(.no).first), "\(context)")
        #expect(c.sequence == book.sequence && c.receive_time_ns == 7)
    }

    /// Random snapshots and deltas on both bids-only and ask-giving books, deep enough to grow
    /// the storage several times, with pair price changes between them.
    @Test func followsTheModelThroughRandomUpdates() {
        var rng = SplitMix64(seed: 2026)
        for round in 0..<200 {
            var book = BinaryBook()
            var model = Model()
            let givesAsks = round % 3 == 0
            for step in 0..<60 {
                if rng.below(15) == 0 {
                    let pair = rng.below(2) == 0 ? FixedPoint.micros : 1_010_000
                    book.pairPrice = pair
                    model.pairPrice = pair
                }
                var u = BookUpdate(kind: rng.below(12) == 0 ? .snapshot : .delta, marketID: "M")
                let depth = Int(1 + rng.below(u.kind == .snapshot ? 30 : 4))
                u.yesBids = Self.levels(&rng, depth, zeroOdds: u.kind == .snapshot ? 100 : 4)
                u.noBids = Self.levels(&rng, Int(rng.below(UInt64(depth) + 1)))
                if givesAsks {
                    u.yesAsks = Self.levels(&rng, Int(rng.below(4)))
                    u.noAsks = Self.levels(&rng, Int(rng.below(4)))
                }
                if u.kind == .delta, rng.below(3) == 0 {
                    // One changed bid level, the stream's way (`VenueSink.bidChanged`).
                    let side: Side = rng.below(2) == 0 ? .yes : .no
                    let level = Self.levels(&rng, 1)[0]
                    book.apply(
                        BidChange(
                            marketID: UnsafeBufferPointer(start: nil, count: 0), side: side, level: level, venueTime: 0)
                    )
                    var delta = BookUpdate(kind: .delta, marketID: "M")
                    if side == .yes { delta.yesBids = [level] } else { delta.noBids = [level] }
                    model.apply(delta)
                } else {
                    book.apply(u)
                    model.apply(u)
                }
                Self.expectSame(book, model, "round \(round) step \(step)")
            }
        }
    }

    /// A snapshot compared with the book in place says what comparing the two built ladders
    /// says: for the book's own levels in either order, one level off, one missing, one extra,
    /// and for snapshots unsorted, with repeats or with zero sizes (which go the built way).
    @Test func aSnapshotComparesInPlaceAsThroughBuiltLadders() {
        var rng = SplitMix64(seed: 7)
        func built(_ levels: [Level]) -> PriceLadder {
            var ladder = PriceLadder()
            for l in levels { ladder.set(l.price, l.size) }
            return ladder
        }
        var equal = 0
        for round in 0..<2_000 {
            var book = BinaryBook()
            var u = BookUpdate(kind: .snapshot, marketID: "M")
            u.yesBids = Self.levels(&rng, Int(rng.below(8)), zeroOdds: 100)
            u.yesAsks = Self.levels(&rng, Int(rng.below(3)), zeroOdds: 100)
            book.apply(u)
            let own = (0..<book.yesBids.count).map {
                Level(price: book.yesBids.prices[$0], size: book.yesBids.sizes[$0])
            }
            var candidates = [own, own.reversed(), Self.levels(&rng, Int(rng.below(8)))]
            if !own.isEmpty {
                var off = own
                let i = Int(rng.below(UInt64(own.count)))
                off[i].size += rng.below(2) == 0 ? 1 : -off[i].size
                candidates += [off, Array(own.dropLast()), own + [Level(price: 990_000, size: 1)], own + own]
            }
            for given in candidates {
                let inPlace = book.ladder(.yesBids, equals: given)
                #expect(inPlace == (book.yesBids == built(given)), "round \(round): \(given)")
                if inPlace { equal += 1 }
            }
            for given in [u.yesAsks, u.yesAsks.reversed()] {
                #expect(book.ladder(.yesAsks, equals: given) == (book.yesAsks == built(given)), "round \(round)")
            }
            #expect(book.ladder(.noBids, equals: []) && !book.ladder(.noBids, equals: [Level(price: 1, size: 1)]))
        }
        #expect(equal > 4_000, "most rounds compare the book's own levels, both orders")
    }

    /// A copy is a value: changing either leaves the other as it was.
    @Test func copiesAreIndependent() {
        var a = BinaryBook()
        var u = BookUpdate(kind: .snapshot, marketID: "M")
        u.yesBids = [Level(price: 400_000, size: 100)]
        u.noBids = [Level(price: 550_000, size: 200)]
        a.apply(u)
        var b = a
        var delta = BookUpdate(kind: .delta, marketID: "M")
        delta.noBids = (1...20).map { Level(price: 500_000 - MicroDollars($0) * 10_000, size: 10) }
        b.apply(delta)
        #expect(a.asks(.yes) == [Level(price: 450_000, size: 200)])
        #expect(b.asks(.yes).count == 21)
        a.pairPrice = 1_010_000
        #expect(a.asks(.yes) == [Level(price: 460_000, size: 200)])
        #expect(b.asks(.yes).first == Level(price: 450_000, size: 200))
        #expect(a.sequence == 2, "a pair price change on a book with updates counts as one")
    }
}
