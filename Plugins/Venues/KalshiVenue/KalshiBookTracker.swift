import PluginKit

/// Kalshi's WebSocket deltas change a level by a signed amount; the ABI's deltas carry the new
/// size. This keeps each subscribed market's bid levels to convert one into the other, and each
/// subscription's sequence to detect gaps (kalshi.md §4: seq belongs to the sid, snapshots
/// consume numbers too, any jump means every book of that sid is untrustworthy).
struct KalshiBookTracker {
    private var yes: [String: [MicroDollars: CentiContracts]] = [:]
    private var no: [String: [MicroDollars: CentiContracts]] = [:]
    private var lastSequence: [UInt64: UInt64] = [:]
    private var marketsBySID: [UInt64: Set<String>] = [:]

    enum SequenceCheck: Equatable {
        case inOrder
        /// Every market of the subscription must be resynced.
        case gap(markets: [String], reason: String)
    }

    /// Checks and records `seq` for `sid`. A gap forgets the sid's books.
    mutating func check(sid: UInt64, seq: UInt64?) -> SequenceCheck {
        guard let seq else { return .inOrder }
        defer { lastSequence[sid] = seq }
        guard let last = lastSequence[sid], seq != last + 1 else { return .inOrder }
        let markets = (marketsBySID[sid] ?? []).sorted()
        for m in markets { forget(m) }
        marketsBySID[sid] = []
        return .gap(markets: markets, reason: "sid \(sid): seq \(seq) after \(last)")
    }

    mutating func replace(market: String, sid: UInt64, yesBids: [Level], noBids: [Level]) {
        yes[market] = Dictionary(yesBids.map { ($0.price, $0.size) }, uniquingKeysWith: +)
        no[market] = Dictionary(noBids.map { ($0.price, $0.size) }, uniquingKeysWith: +)
        marketsBySID[sid, default: []].insert(market)
    }

    /// Applies a signed change; returns the new size (0 = the level is gone), or nil when the
    /// market has no snapshot yet (a delta before its snapshot is a gap).
    mutating func apply(market: String, side: Side, price: MicroDollars, change: CentiContracts) -> CentiContracts? {
        guard yes[market] != nil else { return nil }
        let current = (side == .yes ? yes[market]?[price] : no[market]?[price]) ?? 0
        let updated = max(0, current + change)
        if side == .yes {
            yes[market]?[price] = updated > 0 ? updated : nil
        } else {
            no[market]?[price] = updated > 0 ? updated : nil
        }
        return updated
    }

    mutating func forget(_ market: String) {
        yes[market] = nil
        no[market] = nil
    }
}
