import PluginKit

/// Checks every book update before its quote reaches a lane (ARCHITECTURE.md, data quality).
///
/// Structural checks (range, tick grid, crossed or locked books) reject the update's quote
/// until a clean one arrives. The jump check keeps, per market, the last `window` mid-price
/// moves and flags a move that is both large (`minimumJump`) and an outlier by two robust
/// measures: a MAD z-score above `zLimit` and outside the IQR fence Q1 − k·IQR … Q3 + k·IQR.
/// A flagged jump is held back once; the next update confirms it (the new level stands) or
/// not (it was a bad print).
public struct QuoteFirewall: Sendable {
    public struct Settings: Sendable {
        public var window = 32
        public var zLimit: Int64 = 6
        public var iqrFence: Int64 = 3
        public var minimumJump: MicroDollars = 100_000
        public init() {}
    }

    /// Per market: the last `window` mid moves as a ring in one flat array, and beside it what an
    /// update reads (how many moves are kept, where the next goes, the last accepted mid and a
    /// jump held for confirmation) in one record, not four arrays.
    private struct Track {
        var lastMid: MicroDollars = QuoteFirewall.none
        var pendingJump: MicroDollars = QuoteFirewall.none
        var kept: Int32 = 0
        var next: Int32 = 0
    }
    private var moves: [MicroDollars] = []
    private var tracks: [Track] = []
    /// `lastMid`/`pendingJump` when there is none.
    private static let none = MicroDollars.min

    public let settings: Settings

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Checks the levels an update carries: range and tick grid.
    public func checkLevels(_ update: BookUpdate, tick: MicroDollars) -> QuoteRejection? {
        // Side by side rather than over an array of the four: no allocation on the hot path.
        Self.check(update.yesBids, tick) ?? Self.check(update.noBids, tick) ?? Self.check(update.yesAsks, tick)
            ?? Self.check(update.noAsks, tick)
    }

    private static func check(_ levels: [Level], _ tick: MicroDollars) -> QuoteRejection? {
        for l in levels {
            if let rejection = checkLevel(l, tick: tick) { return rejection }
        }
        return nil
    }

    /// One level: its price inside (0, 1) and on the tick grid, its size not negative.
    @inline(__always)
    static func checkLevel(_ l: Level, tick: MicroDollars) -> QuoteRejection? {
        guard l.price > 0, l.price < FixedPoint.micros, l.size >= 0 else { return .outOfRange }
        if tick > 0, l.price % tick != 0 { return .offTick }
        return nil
    }

    /// Checks the book after the update: crossed or locked, then the jump test on the YES mid.
    /// `inout` only so the engine's book is read in place, not copied (the hot path).
    public mutating func checkBook(_ book: inout BinaryBook, market: Int) -> QuoteRejection? {
        let yesBid = book.bestYesBid
        let yesAsk = book.bestYesAsk
        if let rejection = Self.cross(yesBid, yesAsk) ?? Self.cross(book.bestNoBid, book.bestNoAsk) {
            return rejection
        }
        guard let bid = yesBid, let ask = yesAsk else { return nil }
        return checkJump(mid: (bid.price + ask.price) / 2, market: market)
    }

    private static func cross(_ bid: Level?, _ ask: Level?) -> QuoteRejection? {
        guard let bid, let ask else { return nil }
        if bid.price > ask.price { return .crossed }
        if bid.price == ask.price { return .locked }
        return nil
    }

    private mutating func grow(to market: Int) {
        guard tracks.count <= market else { return }
        let extra = market + 1 - tracks.count
        moves += repeatElement(0, count: extra * settings.window)
        tracks += repeatElement(Track(), count: extra)
    }

    mutating func checkJump(mid: MicroDollars, market: Int) -> QuoteRejection? {
        grow(to: market)
        let last = tracks[market].lastMid
        guard last != Self.none else {
            tracks[market].lastMid = mid
            return nil
        }
        let pending = tracks[market].pendingJump
        if pending != Self.none {
            tracks[market].pendingJump = Self.none
            if abs(mid - pending) < settings.minimumJump {
                // Confirmed: the market really moved. Accept the new level without learning the jump.
                tracks[market].lastMid = mid
                return nil
            }
        }
        let move = mid - last
        if abs(move) >= settings.minimumJump, isOutlier(move, history(market)) {
            tracks[market].pendingJump = mid
            return .jump
        }
        record(move, market: market)
        tracks[market].lastMid = mid
        return nil
    }

    /// The market's kept moves (order does not matter to the tests that read them).
    private func history(_ market: Int) -> [MicroDollars] {
        let base = market * settings.window
        return Array(moves[base..<base + Int(tracks[market].kept)])
    }

    private mutating func record(_ move: MicroDollars, market: Int) {
        let window = Int32(settings.window)
        var slot = tracks[market].next
        moves[market * settings.window + Int(slot)] = move
        slot += 1
        tracks[market].next = slot == window ? 0 : slot
        if tracks[market].kept < window { tracks[market].kept += 1 }
    }

    /// Both robust tests agree the move is an outlier. With too little history every large move is.
    func isOutlier(_ move: MicroDollars, _ history: [MicroDollars]) -> Bool {
        guard history.count >= 8 else { return true }
        let sorted = history.sorted()
        let median = Self.quantile(sorted, 1, 2)
        let deviations = sorted.map { abs($0 - median) }.sorted()
        let mad = Self.quantile(deviations, 1, 2)
        // z = |x − median| / (1.4826 · MAD), compared in integers: |x − m| · 10000 > z · 14826 · MAD.
        let madOutlier = mad == 0 || abs(move - median) * 10_000 > settings.zLimit * 14_826 * mad
        let q1 = Self.quantile(sorted, 1, 4)
        let q3 = Self.quantile(sorted, 3, 4)
        let iqr = q3 - q1
        let fenceOutlier = move < q1 - settings.iqrFence * iqr || move > q3 + settings.iqrFence * iqr
        return madOutlier && fenceOutlier
    }

    /// The (num/den) quantile by the nearest-rank rule, on sorted values.
    static func quantile(_ sorted: [MicroDollars], _ num: Int, _ den: Int) -> MicroDollars {
        sorted[min(sorted.count - 1, (sorted.count - 1) * num / den)]
    }

    /// Forgets a market's history (after a resync the old moves no longer describe it).
    public mutating func reset(market: Int) {
        guard market < tracks.count else { return }
        tracks[market] = Track()
    }
}
