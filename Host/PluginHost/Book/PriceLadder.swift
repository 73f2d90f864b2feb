import CPriceSearch
import PluginKit

/// One side of a book: price levels kept sorted ascending in two parallel arrays, so the best
/// bid is the last element and the best ask the first. A prediction market's side holds tens of
/// levels at most, so a binary search plus a short `memmove` beats any tree or hash map here.
public struct PriceLadder: Sendable, Equatable {
    public private(set) var prices: [MicroDollars] = []
    public private(set) var sizes: [CentiContracts] = []

    public init() {}

    public var count: Int { prices.count }
    public var isEmpty: Bool { prices.isEmpty }
    public var lowest: Level? { prices.isEmpty ? nil : Level(price: prices[0], size: sizes[0]) }
    public var highest: Level? {
        prices.isEmpty ? nil : Level(price: prices[prices.count - 1], size: sizes[sizes.count - 1])
    }

    /// Sets the size at `price`; a size of 0 (or less) removes the level.
    @inline(__always)
    public mutating func set(_ price: MicroDollars, _ size: CentiContracts) {
        let lo = prices.withUnsafeBufferPointer { p in
            Self.lowerBound(price, in: p.baseAddress, stride: MemoryLayout<MicroDollars>.stride, count: p.count)
        }
        if lo < prices.count && prices[lo] == price {
            if size > 0 {
                sizes[lo] = size
            } else {
                prices.remove(at: lo)
                sizes.remove(at: lo)
            }
        } else if size > 0 {
            prices.insert(price, at: lo)
            sizes.insert(size, at: lo)
        }
    }

    /// The first of `count` ascending prices, `stride` bytes apart from `first`, not below
    /// `price` (`count` when none): the search of this ladder's array and of ``BinaryBook``'s
    /// `arb_level` ladders. Branchless, in C for a compiler hint (see `price_search.h`).
    @inline(__always)
    static func lowerBound(_ price: MicroDollars, in first: UnsafeRawPointer?, stride: Int, count: Int) -> Int {
        guard let first else { return 0 }
        return arb_price_lower_bound(first, stride, count, price)
    }

    /// The size at `price`, 0 when absent.
    public func size(at price: MicroDollars) -> CentiContracts {
        var lo = 0
        var hi = prices.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if prices[mid] < price { lo = mid + 1 } else { hi = mid }
        }
        return lo < prices.count && prices[lo] == price ? sizes[lo] : 0
    }

    public mutating func removeAll() {
        prices.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
    }

    /// Levels best first for a bid side (highest price first).
    public var bidsBestFirst: [Level] { (0..<count).reversed().map { Level(price: prices[$0], size: sizes[$0]) } }
    /// Levels best first for an ask side (lowest price first).
    public var asksBestFirst: [Level] { (0..<count).map { Level(price: prices[$0], size: sizes[$0]) } }
}
