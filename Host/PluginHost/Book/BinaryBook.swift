import PluginKit

/// The book of one binary market. Venues that publish bids only (Kalshi, ForecastEx pairs)
/// give YES bids and NO bids; the asks are derived: buying YES at 1 − p matches a NO bid at p,
/// so the YES ask ladder is the NO bid ladder mirrored (and the other way round). Venues that
/// publish asks (Polymarket) give them explicitly, and an explicit ask side is used as given.
public struct BinaryBook: Sendable {
    public private(set) var yesBids = PriceLadder()
    public private(set) var noBids = PriceLadder()
    public private(set) var yesAsks = PriceLadder()
    public private(set) var noAsks = PriceLadder()
    /// Updates applied; the quote's `sequence`.
    public private(set) var sequence: UInt64 = 0
    public private(set) var venueTime: Nanoseconds = 0
    /// What a YES bid and a NO bid sum to when they trade: $1 on Kalshi, $1.01 on ForecastEx
    /// (its cent per matched pair), so a derived ask is `pairPrice − the other side's bid`.
    public var pairPrice: MicroDollars = FixedPoint.micros

    public init() {}

    /// Applies a snapshot (replaces every side) or a delta (new size per price; 0 removes).
    public mutating func apply(_ update: BookUpdate) {
        if update.kind == .snapshot {
            yesBids.removeAll()
            noBids.removeAll()
            yesAsks.removeAll()
            noAsks.removeAll()
        }
        for l in update.yesBids { yesBids.set(l.price, l.size) }
        for l in update.noBids { noBids.set(l.price, l.size) }
        for l in update.yesAsks { yesAsks.set(l.price, l.size) }
        for l in update.noAsks { noAsks.set(l.price, l.size) }
        if update.venueTime > 0 { venueTime = update.venueTime }
        sequence += 1
    }

    /// Best YES bid, from the explicit side or mirrored from the NO asks.
    public var bestYesBid: Level? { yesBids.highest ?? noAsks.lowest.map(mirror) }
    public var bestNoBid: Level? { noBids.highest ?? yesAsks.lowest.map(mirror) }
    public var bestYesAsk: Level? { yesAsks.lowest ?? noBids.highest.map(mirror) }
    public var bestNoAsk: Level? { noAsks.lowest ?? yesBids.highest.map(mirror) }

    /// The ask ladder of `side`, best first.
    public func asks(_ side: Side) -> [Level] {
        let explicit = side == .yes ? yesAsks : noAsks
        if !explicit.isEmpty { return explicit.asksBestFirst }
        return (side == .yes ? noBids : yesBids).bidsBestFirst.map(mirror)
    }

    /// The normalized quote with ask ladders, best first.
    public func quote(receivedAt: Nanoseconds) -> QuoteRecord {
        var q = QuoteRecord(yesBid: bestYesBid, yesAsks: asks(.yes), noBid: bestNoBid, noAsks: asks(.no))
        q.receiveTime = receivedAt
        q.venueTime = venueTime
        q.sequence = sequence
        return q
    }

    @inline(__always)
    func mirror(_ l: Level) -> Level { Level(price: pairPrice - l.price, size: l.size) }
}
