import PluginKit

/// How one outcome token's book becomes the market's book in the ABI's terms.
///
/// Polymarket quotes each token with bids and asks, and its exchange matches a YES buyer with a
/// NO buyer (minting a pair), so the NO token's book is the YES token's mirrored: an ask for
/// YES at p is a bid for NO at 1 − p. The plugin states both tokens' bids, as Kalshi does, and
/// the host derives the asks (YES ask = 1 − best NO bid): one book per market, whichever token
/// a message names.
enum PolymarketBook {
    /// A price as Polymarket writes it (`"0.48"`, `".48"`) in micro-dollars, exactly; nil when
    /// malformed, finer than a micro-dollar or outside [0, 1].
    static func price(_ text: UnsafeBufferPointer<UInt8>) -> MicroDollars? {
        guard let p = FixedPoint.parse(utf8: text, scale: FixedPoint.micros), (0...FixedPoint.micros).contains(p)
        else { return nil }
        return p
    }

    /// A size in shares (`"219.217767"`) in centi-shares, rounded down: depth finer than a
    /// hundredth of a share is never stated as more than it is. Nil when malformed or negative.
    static func shares(_ text: UnsafeBufferPointer<UInt8>) -> CentiContracts? {
        var whole: Int64 = 0
        var digits = 0
        var k = 0
        while k < text.count, text[k] != UInt8(ascii: ".") {
            let d = text[k] &- UInt8(ascii: "0")
            guard d < 10, digits < 16 else { return nil }
            whole = whole * 10 + Int64(d)
            digits += 1
            k += 1
        }
        var fraction: Int64 = 0
        var kept = 0
        if k < text.count {
            k += 1  // the point
            guard k < text.count else { return nil }
            while k < text.count {
                let d = text[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                if kept < 2 {
                    fraction = fraction * 10 + Int64(d)
                    kept += 1
                }
                digits += 1
                k += 1
            }
        }
        guard digits > 0 else { return nil }
        while kept < 2 {
            fraction *= 10
            kept += 1
        }
        return whole * FixedPoint.centi + fraction
    }

    static func price(_ text: String) throws -> MicroDollars {
        var text = text
        guard let p = text.withUTF8({ price($0) }) else {
            throw PluginError(.parse, "polymarket: \"\(text)\" is not a price in [0, 1]")
        }
        return p
    }

    static func shares(_ text: String) throws -> CentiContracts {
        var text = text
        guard let s = text.withUTF8({ shares($0) }) else {
            throw PluginError(.parse, "polymarket: \"\(text)\" is not a share count")
        }
        return s
    }

    /// The snapshot of `market` from one token's levels (as served: any order).
    static func snapshot(
        market: String, token outcome: Side, bids: [Level], asks: [Level], venueTime: Nanoseconds,
        receivedAt: Nanoseconds
    ) -> BookUpdate {
        var update = BookUpdate(kind: .snapshot, marketID: market)
        let own = bestFirst(bids)
        let mirrored = bestFirst(asks.map { Level(price: FixedPoint.micros - $0.price, size: $0.size) })
        (update.yesBids, update.noBids) = outcome == .yes ? (own, mirrored) : (mirrored, own)
        update.venueTime = venueTime
        update.receiveTime = receivedAt
        return update
    }

    /// A change of one token's level as a change of one of the market's bids: the token's bid
    /// at p, or its ask at p as the other token's bid at 1 − p.
    static func bid(token outcome: Side, isBid: Bool, price: MicroDollars) -> (side: Side, price: MicroDollars) {
        isBid ? (outcome, price) : (outcome.opposite, FixedPoint.micros - price)
    }

    /// Levels best (highest) first. Polymarket serves bids ascending and asks descending, so a
    /// side comes reversed; anything else is sorted.
    static func bestFirst(_ levels: [Level]) -> [Level] {
        if zip(levels, levels.dropFirst()).allSatisfy({ $0.price > $1.price }) { return levels }
        if zip(levels, levels.dropFirst()).allSatisfy({ $0.price < $1.price }) { return levels.reversed() }
        return levels.sorted { $0.price > $1.price }
    }

    /// Milliseconds since the epoch as Polymarket writes them (`"1757908892351"`), in nanoseconds.
    static func milliseconds(_ text: UnsafeBufferPointer<UInt8>) -> Nanoseconds? {
        guard !text.isEmpty, text.count <= 15 else { return nil }
        var ms: Int64 = 0
        for byte in text {
            let d = byte &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            ms = ms * 10 + Int64(d)
        }
        return ms * 1_000_000
    }

    static func milliseconds(_ text: String?) -> Nanoseconds {
        guard var text else { return 0 }
        return text.withUTF8 { milliseconds($0) } ?? 0
    }
}
