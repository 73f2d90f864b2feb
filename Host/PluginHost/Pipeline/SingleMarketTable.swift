import CArbPluginAPI
import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// C memory for every market as a group of its own (the lanes of kind `single`, such as the
/// intra-venue lane): one contiguous table of `arb_market` and `arb_quote` indexed by market
/// (a quote's ask ladders point into the engine's book), and one `arb_group` whose only member
/// is pointed at the market being evaluated.
///
/// Why not a ``GroupSnapshot`` per market: twenty thousand of them are twenty thousand objects
/// with five allocations each, and evaluating a market touched a handful of cold cache lines
/// before the lane even ran. Here a rescan walks the table in order and an update touches its
/// market's two rows. Not thread-safe: the engine thread owns it.
final class SingleMarketTable {
    var count: Int { markets.count }
    private let markets = DenseTable<arb_market>()
    private let quotes = DenseTable<arb_quote>()
    /// Per market: its strings (freed when the market is replaced) and the book sequence its
    /// quote was written from (`.max` = no quote: a book's sequence never reaches it).
    private var strings: [[UnsafeMutablePointer<CChar>]] = []
    private var versions: [UInt64] = []
    private let member: UnsafeMutablePointer<arb_group_member>
    let group: UnsafeMutablePointer<arb_group>

    init() {
        member = .allocate(capacity: 1)
        member.initialize(
            to: arb_group_member(
                struct_size: UInt32(MemoryLayout<arb_group_member>.size), flags: 0, market: nil, quote: nil, role: 0,
                reserved0: 0, strike_micros: 0))
        group = .allocate(capacity: 1)
        group.initialize(
            to: arb_group(
                struct_size: UInt32(MemoryLayout<arb_group>.size), kind: GroupKind.single.rawValue,
                group_id: arb_str(data: nil, len: 0), flags: 0, member_count: 1, members: UnsafePointer(member),
                now_ns: 0))
    }

    deinit {
        for list in strings { list.forEach { free($0) } }
        member.deallocate()
        group.deallocate()
    }

    /// Makes room for markets `0..<n`. Rows move: only call between lane calls.
    func grow(to n: Int) {
        guard n > count else { return }
        let extra = n - count
        markets.append(Self.emptyMarket, count: extra)
        quotes.append(GroupSnapshot.emptyQuote, count: extra)
        strings += repeatElement([], count: extra)
        versions += repeatElement(.max, count: extra)
    }

    /// Writes market `id`'s terms (a new market, or new terms for a known one).
    func setMarket(_ m: MarketRecord, at id: Int) {
        strings[id].forEach { free($0) }
        strings[id] = []
        func own(_ s: String) -> arb_str {
            let c = strdup(s)!
            strings[id].append(c)
            return arb_str(data: c, len: strlen(c))
        }
        markets[id] = m.cMarket(own)
    }

    /// Rewrites market `id`'s quote from its book, unless it already shows this book. The
    /// quote's ask ladders point into the book: the caller keeps it alive and unchanged while
    /// a lane reads the quote.
    func setBook(_ book: inout BinaryBook, receivedAt: Nanoseconds, at id: Int) {
        guard versions[id] != book.sequence else { return }
        versions[id] = book.sequence
        quotes[id] = book.cQuote(receivedAt: receivedAt)
    }

    /// Market `id` shows no quote (quarantined, stale, or no book yet).
    func clearQuote(at id: Int) {
        versions[id] = .max
    }

    /// The group a lane sees for market `id` at `now`: valid until the next call.
    func prepare(_ id: Int, now: Nanoseconds) -> UnsafePointer<arb_group> {
        member.pointee.market = UnsafePointer(markets.address(id))
        member.pointee.quote = versions[id] != .max ? UnsafePointer(quotes.address(id)) : nil
        group.pointee.group_id = markets[id].market_id
        group.pointee.now_ns = now
        return UnsafePointer(group)
    }

    static var emptyMarket: arb_market {
        let empty = arb_str(data: nil, len: 0)
        return arb_market(
            struct_size: UInt32(MemoryLayout<arb_market>.size), flags: 0, venue: empty, market_id: empty,
            event_id: empty, title: empty, close_time_ns: 0, resolution_time_ns: 0, tick_micros: 10_000,
            min_order_centi: 100, fee_schedule: 0, reserved0: 0, fee_multiplier_ppm: FixedPoint.ppm, yes_token: empty,
            no_token: empty, pair_price_micros: FixedPoint.micros)
    }
}
