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
    public var bestYesBid: Level? { yesBids.highest ?? noAsks.lowest.map(Self.mirror) }
    public var bestNoBid: Level? { noBids.highest ?? yesAsks.lowest.map(Self.mirror) }
    public var bestYesAsk: Level? { yesAsks.lowest ?? noBids.highest.map(Self.mirror) }
    public var bestNoAsk: Level? { noAsks.lowest ?? yesBids.highest.map(Self.mirror) }

    /// The ask ladder of `side`, best first.
    public func asks(_ side: Side) -> [Level] {
        let explicit = side == .yes ? yesAsks : noAsks
        if !explicit.isEmpty { return explicit.asksBestFirst }
        return (side == .yes ? noBids : yesBids).bidsBestFirst.map(Self.mirror)
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
    static func mirror(_ l: Level) -> Level { Level(price: FixedPoint.micros - l.price, size: l.size) }
}
