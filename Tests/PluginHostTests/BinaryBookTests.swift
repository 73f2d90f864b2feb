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
        #expect(c.yes_ask_micros == (model.asks(.yes).first?.price ?? -1), "\(context)")
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
                book.apply(u)
                model.apply(u)
                Self.expectSame(book, model, "round \(round) step \(step)")
            }
        }
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
