import PluginKit
import Testing

@testable import PluginHost

/// The price search against a linear scan, and the ladder against a dictionary.
struct PriceLadderTests {
    static func lowerBound(_ price: MicroDollars, _ prices: [MicroDollars]) -> Int {
        prices.withUnsafeBufferPointer {
            PriceLadder.lowerBound(
                price, in: $0.baseAddress, stride: MemoryLayout<MicroDollars>.stride, count: $0.count)
        }
    }

    /// For every ladder length up to 70, a price below, on, between and above every level finds
    /// the first level not below it (the search is branchless: off-by-one shows here first).
    @Test func lowerBoundFindsTheFirstLevelNotBelow() {
        for count in 0...70 {
            let prices = (0..<count).map { MicroDollars($0 * 10 + 10) }
            for price in MicroDollars(0)...MicroDollars(count * 10 + 20) {
                let expected = prices.firstIndex { $0 >= price } ?? count
                #expect(Self.lowerBound(price, prices) == expected, "\(count) \(price)")
            }
        }
        let extremes: [MicroDollars] = [.min, -1, 0, .max]
        for price in extremes {
            #expect(Self.lowerBound(price, extremes) == extremes.firstIndex { $0 >= price })
        }
    }

    /// Random sets and removals (up to 120 distinct prices) give the dictionary's ladder.
    @Test func followsADictionary() {
        var rng = SplitMix64(seed: 33)
        for round in 0..<50 {
            var ladder = PriceLadder()
            var model: [MicroDollars: CentiContracts] = [:]
            let range = UInt64(round % 2 == 0 ? 40 : 120)
            for _ in 0..<600 {
                let price = MicroDollars(rng.below(range)) * 10_000
                let size = rng.below(4) == 0 ? 0 : CentiContracts(1 + rng.below(1_000))
                ladder.set(price, size)
                model[price] = size > 0 ? size : nil
            }
            let sorted = model.keys.sorted()
            #expect(ladder.prices == sorted, "round \(round)")
            #expect(ladder.sizes == sorted.map { model[$0]! }, "round \(round)")
            for price in sorted { #expect(ladder.size(at: price) == model[price]) }
        }
    }
}
