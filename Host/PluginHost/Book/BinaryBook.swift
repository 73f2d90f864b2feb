import CArbPluginAPI
import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// The book of one binary market. Venues that publish bids only (Kalshi, ForecastEx pairs)
/// give YES bids and NO bids; the asks are derived: buying YES at 1 − p matches a NO bid at p,
/// so the YES ask ladder is the NO bid ladder mirrored (and the other way round). Venues that
/// publish asks (Polymarket) give them explicitly, and an explicit ask side is used as given.
///
/// Storage: one allocation per book, ``BookLevels``, holding six ladders of `arb_level` sorted
/// by price ascending: the venue's four sides and the two ask ladders derived from the bids,
/// kept up to date delta by delta. So a lane's quote points at the ask ladders in place instead
/// of a copy rewritten on every update, and an update touches one block of memory instead of
/// eight arrays. Copy-on-write: a copy of the book is a value, as before.
public struct BinaryBook: @unchecked Sendable {
    // @unchecked: the storage is shared only between copies and copied before any write.

    /// The six ladders, in storage order.
    enum Ladder: Int, CaseIterable {
        case yesBids, noBids, yesAsks, noAsks
        /// `pairPrice − NO bid`, `pairPrice − YES bid`: the asks of a bids-only venue.
        case derivedYesAsks, derivedNoAsks
    }

    private var storage: BookLevels
    /// Levels per ladder, by `Ladder.rawValue`.
    private var counts: (Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0)
    /// Updates applied; the quote's `sequence`.
    public private(set) var sequence: UInt64 = 0
    public private(set) var venueTime: Nanoseconds = 0
    /// What a YES bid and a NO bid sum to when they trade: $1 on Kalshi, $1.01 on ForecastEx
    /// (its cent per matched pair), so a derived ask is `pairPrice − the other side's bid`.
    public var pairPrice: MicroDollars = FixedPoint.micros {
        didSet { if pairPrice != oldValue { rederive() } }
    }

    public init() { storage = BookLevels.make(capacity: 0) }

    /// Applies a snapshot (replaces every side) or a delta (new size per price; 0 removes).
    public mutating func apply(_ update: BookUpdate) {
        makeUnique()
        if update.kind == .snapshot { counts = (0, 0, 0, 0, 0, 0) }
        for l in update.yesBids { setBid(.yesBids, mirroredIn: .derivedNoAsks, l.price, l.size) }
        for l in update.noBids { setBid(.noBids, mirroredIn: .derivedYesAsks, l.price, l.size) }
        for l in update.yesAsks { set(.yesAsks, l.price, l.size) }
        for l in update.noAsks { set(.noAsks, l.price, l.size) }
        storage.header.tops = (yes: top(of: .yesBids), no: top(of: .noBids))
        if update.venueTime > 0 { venueTime = update.venueTime }
        sequence += 1
    }

    /// Applies one changed bid level: the same as ``apply(_:)`` with a delta holding that level alone.
    mutating func apply(_ change: BidChange) {
        makeUnique()
        switch change.side {
        case .yes:
            setBid(.yesBids, mirroredIn: .derivedNoAsks, change.level.price, change.level.size)
            storage.header.tops.yes = top(of: .yesBids)
        case .no:
            setBid(.noBids, mirroredIn: .derivedYesAsks, change.level.price, change.level.size)
            storage.header.tops.no = top(of: .noBids)
        }
        if change.venueTime > 0 { venueTime = change.venueTime }
        sequence += 1
    }

    // MARK: Reading

    /// Best YES bid, from the explicit side or mirrored from the NO asks. The best bids are read
    /// from the storage's first cache line (``BookLevels/Tops``), which the update's uniqueness
    /// check has just loaded; a derived ask is the other side's best bid mirrored (the lowest
    /// derived ask is `pairPrice −` the highest bid). Read from the ladders, the four bests
    /// were up to four more cache lines per update (the cache model's L2 read misses fell 5.4%).
    public var bestYesBid: Level? { cachedTop(storage.header.tops.yes) ?? lowest(.noAsks).map(mirror) }
    public var bestNoBid: Level? { cachedTop(storage.header.tops.no) ?? lowest(.yesAsks).map(mirror) }
    public var bestYesAsk: Level? { lowest(.yesAsks) ?? cachedTop(storage.header.tops.no).map(mirror) }
    public var bestNoAsk: Level? { lowest(.noAsks) ?? cachedTop(storage.header.tops.yes).map(mirror) }

    public var yesBids: PriceLadder { ladder(.yesBids) }
    public var noBids: PriceLadder { ladder(.noBids) }
    public var yesAsks: PriceLadder { ladder(.yesAsks) }
    public var noAsks: PriceLadder { ladder(.noAsks) }

    /// The ask ladder of `side`, best first.
    public func asks(_ side: Side) -> [Level] {
        let (levels, count) = askLevels(side)
        return (0..<count).map { Level(price: levels![$0].price_micros, size: levels![$0].size_centi) }
    }

    /// The ask ladder of `side` in place, best first: the venue's asks, or the derived ones when
    /// it gives none. Valid until the book next changes or is released.
    @inline(__always)
    func askLevels(_ side: Side) -> (UnsafeMutablePointer<arb_level>?, Int) {
        let explicit: Ladder = side == .yes ? .yesAsks : .noAsks
        let ladder = count(explicit) > 0 ? explicit : (side == .yes ? .derivedYesAsks : .derivedNoAsks)
        let n = count(ladder)
        return n == 0 ? (nil, 0) : (levels(ladder), n)
    }

    /// The normalized quote with ask ladders, best first.
    public func quote(receivedAt: Nanoseconds) -> QuoteRecord {
        var q = QuoteRecord(yesBid: bestYesBid, yesAsks: asks(.yes), noBid: bestNoBid, noAsks: asks(.no))
        q.receiveTime = receivedAt
        q.venueTime = venueTime
        q.sequence = sequence
        return q
    }

    /// The quote as lanes see it, its ask ladders pointing into this book: valid until the book
    /// next changes or is released. The engine rewrites a quote whenever its book's sequence
    /// moves, and a book's storage moves only when an update changes it.
    func cQuote(receivedAt: Nanoseconds) -> arb_quote {
        var c = GroupSnapshot.emptyQuote
        let tops = storage.header.tops
        // The bests as the getters give them, from the tops in the storage's first line, with
        // no Optional made of each (through the getters: 42.2 M instructions here against 23.5 M,
        // callgrind, short batched tape).
        if tops.yes.price_micros != .min {
            (c.yes_bid_micros, c.yes_bid_centi) = (tops.yes.price_micros, tops.yes.size_centi)
        } else if count(.noAsks) > 0 {
            let a = levels(.noAsks)[0]
            (c.yes_bid_micros, c.yes_bid_centi) = (pairPrice - a.price_micros, a.size_centi)
        }
        if tops.no.price_micros != .min {
            (c.no_bid_micros, c.no_bid_centi) = (tops.no.price_micros, tops.no.size_centi)
        } else if count(.yesAsks) > 0 {
            let a = levels(.yesAsks)[0]
            (c.no_bid_micros, c.no_bid_centi) = (pairPrice - a.price_micros, a.size_centi)
        }
        let (yes, yesCount) = askLevels(.yes)
        let (no, noCount) = askLevels(.no)
        if count(.yesAsks) > 0 {
            (c.yes_ask_micros, c.yes_ask_centi) = (yes![0].price_micros, yes![0].size_centi)
        } else if tops.no.price_micros != .min {
            (c.yes_ask_micros, c.yes_ask_centi) = (pairPrice - tops.no.price_micros, tops.no.size_centi)
        }
        if count(.noAsks) > 0 {
            (c.no_ask_micros, c.no_ask_centi) = (no![0].price_micros, no![0].size_centi)
        } else if tops.yes.price_micros != .min {
            (c.no_ask_micros, c.no_ask_centi) = (pairPrice - tops.yes.price_micros, tops.yes.size_centi)
        }
        (c.yes_asks, c.yes_ask_count) = (UnsafePointer(yes), UInt32(yesCount))
        (c.no_asks, c.no_ask_count) = (UnsafePointer(no), UInt32(noCount))
        c.receive_time_ns = receivedAt
        c.venue_time_ns = venueTime
        c.sequence = sequence
        return c
    }

    @inline(__always)
    func mirror(_ l: Level) -> Level { Level(price: pairPrice - l.price, size: l.size) }

    // MARK: Ladders

    @inline(__always)
    private func count(_ ladder: Ladder) -> Int {
        withUnsafeBytes(of: counts) { Int($0.load(fromByteOffset: ladder.rawValue * 4, as: Int32.self)) }
    }

    @inline(__always)
    private mutating func setCount(_ ladder: Ladder, _ n: Int) {
        withUnsafeMutableBytes(of: &counts) {
            $0.storeBytes(of: Int32(n), toByteOffset: ladder.rawValue * 4, as: Int32.self)
        }
    }

    @inline(__always)
    private func levels(_ ladder: Ladder) -> UnsafeMutablePointer<arb_level> {
        storage.elements + ladder.rawValue * storage.header.capacity
    }

    @inline(__always)
    private func lowest(_ ladder: Ladder) -> Level? {
        guard count(ladder) > 0 else { return nil }
        let l = levels(ladder)[0]
        return Level(price: l.price_micros, size: l.size_centi)
    }

    /// A ladder's highest level as ``BookLevels/Tops`` keeps it (`price_micros == .min`: none).
    @inline(__always)
    private func top(of ladder: Ladder) -> arb_level {
        let n = count(ladder)
        return n > 0 ? levels(ladder)[n - 1] : BookLevels.noLevel
    }

    @inline(__always)
    private func cachedTop(_ l: arb_level) -> Level? {
        l.price_micros == .min ? nil : Level(price: l.price_micros, size: l.size_centi)
    }

    private func ladder(_ ladder: Ladder) -> PriceLadder {
        var result = PriceLadder()
        let base = levels(ladder)
        for i in 0..<count(ladder) { result.set(base[i].price_micros, base[i].size_centi) }
        return result
    }

    /// True when `ladder` holds what a `PriceLadder` with `given` set in order would hold (the
    /// reconciliation of a REST snapshot against the stream-built book). A venue's snapshot is
    /// sorted one way or the other with every size positive: then it is compared in place, level
    /// by level; building both ladders took 10,000 instructions a snapshot (callgrind, replay).
    func ladder(_ ladder: Ladder, equals given: [Level]) -> Bool {
        let n = count(ladder)
        guard !given.isEmpty else { return n == 0 }
        var ascending = true
        var descending = true
        for i in given.indices {
            guard given[i].size > 0 else {
                (ascending, descending) = (false, false)
                break
            }
            if i > 0 {
                if given[i].price <= given[i - 1].price { ascending = false }
                if given[i].price >= given[i - 1].price { descending = false }
            }
        }
        guard ascending || descending else {
            var built = PriceLadder()
            for level in given { built.set(level.price, level.size) }
            return self.ladder(ladder) == built
        }
        guard n == given.count else { return false }
        let base = levels(ladder)
        for i in 0..<n {
            let level = given[ascending ? i : n - 1 - i]
            if base[i].price_micros != level.price || base[i].size_centi != level.size { return false }
        }
        return true
    }

    /// Sets the size at `price` in `ladder`; a size of 0 (or less) removes the level. The
    /// storage is unique (``apply(_:)`` made it so).
    @inline(__always)
    private mutating func set(_ ladder: Ladder, _ price: MicroDollars, _ size: CentiContracts) {
        let (at, found) = locate(price, in: ladder)
        edit(ladder, at: at, found: found, price, size)
    }

    /// Where `price` is in `ladder` (`found`), or where it belongs.
    @inline(__always)
    private func locate(_ price: MicroDollars, in ladder: Ladder) -> (at: Int, found: Bool) {
        let n = count(ladder)
        let base = levels(ladder)
        let at = PriceLadder.lowerBound(price, in: base, stride: MemoryLayout<arb_level>.stride, count: n)
        return (at, at < n && base[at].price_micros == price)
    }

    /// Sets a bid and its mirror among the derived asks. The derived ladder is the bid ladder
    /// reversed, so the bid's place gives the ask's without a second search: bid `i` of `n` is
    /// derived ask `n − 1 − i`.
    @inline(__always)
    private mutating func setBid(
        _ bids: Ladder, mirroredIn derived: Ladder, _ price: MicroDollars, _ size: CentiContracts
    ) {
        let n = count(bids)
        let (at, found) = locate(price, in: bids)
        // Found: the same level, n − 1 − at. Inserted: bid `at` of n + 1 mirrors to n − at.
        edit(derived, at: found ? n - 1 - at : n - at, found: found, pairPrice - price, size)
        edit(bids, at: at, found: found, price, size)
    }

    /// Changes `ladder` at `at`, where a level at `price` is (`found`) or belongs: a new size,
    /// a removal (size ≤ 0) or an insertion.
    @inline(__always)
    private mutating func edit(
        _ ladder: Ladder, at: Int, found: Bool, _ price: MicroDollars, _ size: CentiContracts
    ) {
        var n = count(ladder)
        var base = levels(ladder)
        if found {
            guard size <= 0 else {
                base[at].size_centi = size
                return
            }
            memmove(base + at, base + at + 1, (n - at - 1) * MemoryLayout<arb_level>.stride)
            n -= 1
        } else {
            guard size > 0 else { return }
            if n == storage.header.capacity {
                grow()
                base = levels(ladder)
            }
            memmove(base + at + 1, base + at, (n - at) * MemoryLayout<arb_level>.stride)
            base[at] = arb_level(price_micros: price, size_centi: size)
            n += 1
        }
        setCount(ladder, n)
    }

    /// Copies the storage first when another copy of the book shares it (copy-on-write).
    @inline(__always)
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { relocate(capacity: storage.header.capacity) }
    }

    /// Doubles every ladder's room (a full one needs more).
    private mutating func grow() { relocate(capacity: max(4, storage.header.capacity * 2)) }

    /// Moves the ladders into new storage with room for `capacity` levels each.
    private mutating func relocate(capacity: Int) {
        let moved = BookLevels.make(capacity: capacity)
        moved.header.tops = storage.header.tops
        for ladder in Ladder.allCases {
            (moved.elements + ladder.rawValue * capacity).initialize(from: levels(ladder), count: count(ladder))
        }
        storage = moved
    }

    /// Rebuilds the derived asks from the bids at a new pair price. A book that has had updates
    /// counts it as one: quotes written from it are rewritten (they may point at its old storage).
    private mutating func rederive() {
        if sequence > 0 { sequence += 1 }
        makeUnique()
        for (bids, derived) in [(Ladder.yesBids, Ladder.derivedNoAsks), (.noBids, .derivedYesAsks)] {
            setCount(derived, 0)
            for i in 0..<count(bids) {
                let l = levels(bids)[i]  // read again each time: a set may move the storage
                set(derived, pairPrice - l.price_micros, l.size_centi)
            }
        }
    }
}

/// The levels of one ``BinaryBook``: six ladders of `capacity` levels each, in one allocation
/// with the object. Elements are tail-allocated, so their address is fixed for the object's
/// life: a C quote may point at them until the book's next change.
final class BookLevels: ManagedBuffer<BookLevels.Header, arb_level> {
    struct Header {
        /// Levels each ladder has room for.
        var capacity: Int
        /// The highest YES bid and NO bid (``noLevel`` when the ladder is empty), kept beside
        /// the object's reference count: 16 + 8 + 32 bytes, one cache line with it.
        var tops: (yes: arb_level, no: arb_level)
    }

    /// A ladder's top when it has none.
    static let noLevel = arb_level(price_micros: .min, size_centi: 0)

    static func make(capacity: Int) -> BookLevels {
        unsafeDowncast(
            BookLevels.create(minimumCapacity: capacity * BinaryBook.Ladder.allCases.count) { _ in
                Header(capacity: capacity, tops: (noLevel, noLevel))
            },
            to: BookLevels.self)
    }

    /// The first level of the first ladder.
    var elements: UnsafeMutablePointer<arb_level> { withUnsafeMutablePointerToElements { $0 } }
}
