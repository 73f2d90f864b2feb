import CArbPluginAPI
import PluginKit

/// What the host knows when it sizes an opportunity, as Swift values. ``withContext(laneID:seed:group:_:)``
/// turns it into the ABI's `arb_sizing_context`, keeping every borrowed string and array alive
/// for the call, so no caller assembles the C struct by hand.
public struct SizingInputs: Sendable {
    public var now: Nanoseconds = 0
    public var equity: MicroDollars
    public var cash: MicroDollars
    public var highWaterMark: MicroDollars
    public var dayStartEquity: MicroDollars
    public var laneStatistics: [LaneStatistics] = []
    public var venueExposure: [Exposure] = []
    public var categoryExposure: [Exposure] = []
    public var marketExposure: [Exposure] = []

    /// A flat account: cash = equity = high-water mark = day start (no drawdown yet).
    public init(equity: MicroDollars) {
        self.equity = equity
        cash = equity
        highWaterMark = equity
        dayStartEquity = equity
    }

    /// Calls `body` with a C context for an opportunity of `laneID`, valid only during `body`.
    /// `body` may change the seed between calls (a benchmark reuses one context).
    public func withContext<R>(
        laneID: String, seed: UInt64, group: GroupSnapshot?,
        _ body: (UnsafeMutablePointer<arb_sizing_context>) throws -> R
    ) rethrows -> R {
        // Every string the C structs point at, pinned in one array for the call.
        var strings = [laneID] + laneStatistics.map(\.laneID)
        strings += (venueExposure + categoryExposure + marketExposure).map(\.key)
        let pinned = strings.map { Array($0.utf8CString) }
        return try withPinnedStrings(pinned) { cStrings in
            var next = 1
            func take() -> arb_str {
                defer { next += 1 }
                return cStrings[next]
            }
            let stats = laneStatistics.map { s in
                arb_lane_stats(
                    struct_size: UInt32(MemoryLayout<arb_lane_stats>.size), reserved0: 0, lane_id: take(),
                    baskets: s.baskets, wins: s.wins, losses: s.losses, mean_return_ppm: s.meanReturn,
                    stdev_return_ppm: s.stdevReturn, realized_pnl_micros: s.realizedPnL)
            }
            let venues = venueExposure.map { arb_exposure(key: take(), open_micros: $0.open) }
            let categories = categoryExposure.map { arb_exposure(key: take(), open_micros: $0.open) }
            let markets = marketExposure.map { arb_exposure(key: take(), open_micros: $0.open) }
            return try stats.withUnsafeBufferPointer { stats in
                try venues.withUnsafeBufferPointer { venues in
                    try categories.withUnsafeBufferPointer { categories in
                        try markets.withUnsafeBufferPointer { markets in
                            var c = arb_sizing_context()
                            c.struct_size = UInt32(MemoryLayout<arb_sizing_context>.size)
                            c.now_ns = now
                            c.equity_micros = equity
                            c.cash_micros = cash
                            c.high_water_micros = highWaterMark
                            c.day_start_equity_micros = dayStartEquity
                            c.venue_exposure = venues.baseAddress
                            c.venue_exposure_count = UInt32(venues.count)
                            c.category_exposure = categories.baseAddress
                            c.category_exposure_count = UInt32(categories.count)
                            c.market_exposure = markets.baseAddress
                            c.market_exposure_count = UInt32(markets.count)
                            c.lane_stats = stats.baseAddress
                            c.lane_stats_count = UInt32(stats.count)
                            c.lane_id = cStrings[0]
                            c.seed = seed
                            c.group = group.map { UnsafePointer($0.group) }
                            return try withExtendedLifetime(group) {
                                try withUnsafeMutablePointer(to: &c) { try body($0) }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension SizingChain {
    /// Runs `steps` on `opportunity` with the host's current `inputs`.
    public static func run(
        _ steps: [PluginInstance], _ opportunity: FoundOpportunity, inputs: SizingInputs, seed: UInt64,
        group: GroupSnapshot?
    ) -> SizingPlan {
        inputs.withContext(laneID: opportunity.laneID, seed: seed, group: group) {
            run(steps, opportunity, context: $0)
        }
    }
}

/// Pins each NUL-terminated byte array for the duration of `body`, handing out `arb_str` views.
private func withPinnedStrings<R>(_ arrays: [[CChar]], _ body: ([arb_str]) throws -> R) rethrows -> R {
    var views: [arb_str] = []
    views.reserveCapacity(arrays.count)
    func pin(_ i: Int) throws -> R {
        guard i < arrays.count else { return try body(views) }
        return try arrays[i].withUnsafeBufferPointer {
            views.append(arb_str(data: $0.baseAddress, len: $0.count - 1))
            return try pin(i + 1)
        }
    }
    return try pin(0)
}
