import CArbPluginAPI
import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// A market as the host stores it, with owned strings.
public struct MarketRecord: Sendable, Equatable {
    public var venue: String
    public var marketID: String
    public var eventID: String = ""
    public var title: String = ""
    public var closeTime: Nanoseconds = 0
    /// Expected payout time; 0 = unknown (then the close time is used).
    public var resolutionTime: Nanoseconds = 0
    public var tick: MicroDollars = 10_000
    /// The smallest order the venue takes, in centi-contracts (Polymarket: 5 shares).
    public var minimumOrder: CentiContracts = 100
    public var feeSchedule: FeeSchedule = .quadratic
    public var feeMultiplier: PartsPerMillion = FixedPoint.ppm
    public var isActive = true
    /// What a YES and a NO bid sum to when they trade ($1; ForecastEx $1.01).
    public var pairPrice: MicroDollars = FixedPoint.micros
    /// The venue's instrument ids of the two sides, where it has them (Polymarket's tokens).
    public var yesToken = ""
    public var noToken = ""

    public init(venue: String, marketID: String, title: String = "", closeTime: Nanoseconds = 0) {
        self.venue = venue
        self.marketID = marketID
        self.title = title
        self.closeTime = closeTime
    }
}

extension MarketRecord {
    /// The market as lanes see it; `own` copies each string into memory the caller keeps alive.
    func cMarket(_ own: (String) -> arb_str) -> arb_market {
        arb_market(
            struct_size: UInt32(MemoryLayout<arb_market>.size), flags: isActive ? UInt32(ARB_MARKET_ACTIVE) : 0,
            venue: own(venue), market_id: own(marketID), event_id: own(eventID), title: own(title),
            close_time_ns: closeTime, resolution_time_ns: resolutionTime > 0 ? resolutionTime : closeTime,
            tick_micros: tick, min_order_centi: minimumOrder, fee_schedule: feeSchedule.rawValue, reserved0: 0,
            fee_multiplier_ppm: feeMultiplier, yes_token: own(yesToken), no_token: own(noToken),
            pair_price_micros: pairPrice)
    }
}

/// A top-of-book quote with optional ask depth, in ABI units. `nil` sides are "no quote".
public struct QuoteRecord: Sendable, Equatable {
    public var yesBid: Level?
    public var yesAsks: [Level]
    public var noBid: Level?
    public var noAsks: [Level]
    public var receiveTime: Nanoseconds = 0
    public var venueTime: Nanoseconds = 0
    public var sequence: UInt64 = 0

    public init(yesBid: Level? = nil, yesAsks: [Level] = [], noBid: Level? = nil, noAsks: [Level] = []) {
        self.yesBid = yesBid
        self.yesAsks = yesAsks
        self.noBid = noBid
        self.noAsks = noAsks
    }
}

/// C memory for one `arb_group` and everything it points to, owned by the host and stable
/// while the snapshot lives, so a lane call costs no marshalling. Not thread-safe: one engine
/// cycle at a time.
public final class GroupSnapshot {
    public let kind: GroupKind
    public let groupID: String
    public private(set) var markets: [MarketRecord]
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private let cMarkets: UnsafeMutablePointer<arb_market>
    private let cQuotes: UnsafeMutablePointer<arb_quote>
    private let cMembers: UnsafeMutablePointer<arb_group_member>
    private var buffers: QuoteBuffers
    /// Per member: the book sequence its C quote was written from (`.max` = none yet).
    private var versions: [UInt64]
    public let group: UnsafeMutablePointer<arb_group>

    /// A snapshot of a declared group: members' polarity, roles and strikes, and the rule's flags.
    public convenience init(rule: GroupRule, markets: [MarketRecord]) {
        var flags: UInt32 = 0
        if rule.isExhaustive { flags |= UInt32(ARB_GROUP_EXHAUSTIVE) }
        if rule.isReviewed { flags |= UInt32(ARB_GROUP_REVIEWED) }
        if rule.hasSameTerms { flags |= UInt32(ARB_GROUP_SAME_TERMS) }
        if rule.isLadder { flags |= UInt32(ARB_GROUP_LADDER) }
        self.init(kind: rule.kind, groupID: rule.groupID, markets: markets, flags: flags)
        for (i, m) in rule.members.enumerated() {
            cMembers[i].flags = m.isInverted ? UInt32(ARB_MEMBER_INVERTED) : 0
            cMembers[i].role = m.role
            cMembers[i].strike_micros = m.strike
        }
    }

    public init(kind: GroupKind, groupID: String, markets: [MarketRecord], flags: UInt32 = 0) {
        self.kind = kind
        self.groupID = groupID
        self.markets = markets
        let n = markets.count
        cMarkets = .allocate(capacity: max(n, 1))
        cQuotes = .allocate(capacity: max(n, 1))
        cMembers = .allocate(capacity: max(n, 1))
        group = .allocate(capacity: 1)
        buffers = QuoteBuffers(quotes: n)
        versions = Array(repeating: .max, count: n)
        for (i, m) in markets.enumerated() {
            cMarkets[i] = m.cMarket(own)
            cQuotes[i] = Self.emptyQuote
            cMembers[i] = arb_group_member(
                struct_size: UInt32(MemoryLayout<arb_group_member>.size), flags: 0, market: UnsafePointer(cMarkets + i),
                quote: nil, role: 0, reserved0: 0, strike_micros: 0)
        }
        group.initialize(
            to: arb_group(
                struct_size: UInt32(MemoryLayout<arb_group>.size), kind: kind.rawValue, group_id: own(groupID),
                flags: flags, member_count: UInt32(n), members: UnsafePointer(cMembers), now_ns: 0))
    }

    deinit {
        strings.forEach { free($0) }
        buffers.deallocateAll()
        cMarkets.deallocate()
        cQuotes.deallocate()
        cMembers.deallocate()
        group.deallocate()
    }

    /// Sets member `index`'s quote (copying the ladders into this snapshot's memory).
    public func setQuote(_ q: QuoteRecord, at index: Int) {
        var c = Self.emptyQuote
        if let b = q.yesBid { (c.yes_bid_micros, c.yes_bid_centi) = (b.price, b.size) }
        if let b = q.noBid { (c.no_bid_micros, c.no_bid_centi) = (b.price, b.size) }
        if let a = q.yesAsks.first { (c.yes_ask_micros, c.yes_ask_centi) = (a.price, a.size) }
        if let a = q.noAsks.first { (c.no_ask_micros, c.no_ask_centi) = (a.price, a.size) }
        c.receive_time_ns = q.receiveTime
        c.venue_time_ns = q.venueTime
        c.sequence = q.sequence
        c.yes_asks = UnsafePointer(buffers.levels(q.yesAsks, slot: 2 * index))
        c.yes_ask_count = UInt32(q.yesAsks.count)
        c.no_asks = UnsafePointer(buffers.levels(q.noAsks, slot: 2 * index + 1))
        c.no_ask_count = UInt32(q.noAsks.count)
        cQuotes[index] = c
        cMembers[index].quote = UnsafePointer(cQuotes + index)
        versions[index] = .max
    }

    /// Withdraws member `index`'s quote: lanes see "no quote" (quarantined or stale market).
    public func clearQuote(at index: Int) {
        cMembers[index].quote = nil
        versions[index] = .max
    }

    /// Sets member `index`'s quote straight from its book, its ask ladders pointing into the
    /// book; does nothing when the book has not changed since it was last written (the engine's
    /// hot path). The caller keeps the book alive and unchanged while lanes read the snapshot.
    public func setBook(_ book: inout BinaryBook, receivedAt: Nanoseconds, at index: Int) {
        guard versions[index] != book.sequence || cMembers[index].quote == nil else { return }
        versions[index] = book.sequence
        cQuotes[index] = book.cQuote(receivedAt: receivedAt)
        cMembers[index].quote = UnsafePointer(cQuotes + index)
    }

    /// The cycle's clock, as lanes see it.
    public func setNow(_ now: Nanoseconds) { group.pointee.now_ns = now }

    private func own(_ s: String) -> arb_str {
        let c = strdup(s)!
        strings.append(c)
        return arb_str(data: c, len: strlen(c))
    }

    static var emptyQuote: arb_quote {
        arb_quote(
            struct_size: UInt32(MemoryLayout<arb_quote>.size), reserved0: 0, yes_bid_micros: -1, yes_bid_centi: 0,
            yes_ask_micros: -1, yes_ask_centi: 0, no_bid_micros: -1, no_bid_centi: 0, no_ask_micros: -1,
            no_ask_centi: 0,
            venue_time_ns: 0, receive_time_ns: 0, sequence: 0, yes_asks: nil, yes_ask_count: 0, no_ask_count: 0,
            no_asks: nil)
    }
}
