import PluginKit

/// One leg to buy: a member's contract and its ask ladder.
public struct BasketLeg {
    public var member: Member
    public var side: Side

    public init(member: Member, side: Side) {
        self.member = member
        self.side = side
    }
}

/// Walks the ask ladders of every leg of a basket together, cheapest levels first, and keeps
/// buying equal chunks while each chunk, priced as its own fill with the venue's exact fee,
/// still earns the minimum edge over the basket's worst-case payout.
///
/// Pricing each chunk as its own order never underestimates per-fill fee rounding. A venue
/// that takes its fee in contracts (Polymarket buys) delivers fewer than bought; each missing
/// contract is charged at a full dollar, its worst-case value.
public enum BasketWalk {
    /// The basket and its executable size, or nil when no chunk clears the edge.
    ///
    /// - Parameters:
    ///   - payout: worst-case payout per basket (one contract of each leg).
    ///   - minEdge: required worst-case profit per basket after fees.
    ///   - maxPlausibleGap: when the best asks already leave more than this, the books are stale or
    ///     mis-mapped: the walk stops at the top level (the caller reports an alarm, not a trade).
    public static func best(
        _ legs: [BasketLeg], payout: MicroDollars, minEdge: MicroDollars, maxBaskets: CentiContracts,
        maxPlausibleGap: MicroDollars = .max, host: HostServices
    ) throws -> Opportunity? {
        guard !legs.isEmpty else { return nil }
        // Screen on prices alone, before any allocation: fees only add cost, so a basket whose
        // best asks already miss the edge cannot clear it. Most evaluations end here.
        var topCost: MicroDollars = 0
        for leg in legs {
            guard let ask = bestAsk(leg.member, leg.side) else { return nil }
            topCost += ask
        }
        guard topCost + minEdge < payout else { return nil }
        // The walk's state per leg lives on the stack: the ladders and markets are borrowed
        // views, so nothing here needs the heap. (Seven arrays per walk, grown and freed, were
        // half of the walk's instructions; callgrind, replay with a cycle per message.)
        return try withUnsafeTemporaryAllocation(of: LegWalk.self, capacity: legs.count) { walk in
            var resolution: Nanoseconds = 0
            var legCount = 0
            defer { walk.baseAddress!.deinitialize(count: legCount) }
            for leg in legs {
                let market = leg.member.market
                guard market.isActive, !market.isMultivariate, let quote = leg.member.quote else { return nil }
                let asks = quote.asks(leg.side)
                guard !asks.isEmpty else { return nil }
                walk.initializeElement(at: legCount, to: LegWalk(ladder: asks, market: market))
                legCount += 1
                resolution = max(resolution, market.resolutionTime > 0 ? market.resolutionTime : market.closeTime)
            }
            let n = legs.count
            var maxBaskets = maxBaskets
            if payout - topCost > maxPlausibleGap {
                for i in 0..<n { maxBaskets = min(maxBaskets, walk[i].ladder[0].size) }
            }
            var baskets: CentiContracts = 0
            var cost: Int64 = 0  // micro-dollars x centi-contracts: exact
            while baskets < maxBaskets {
                var size = maxBaskets - baskets
                for i in 0..<n { size = min(size, walk[i].left) }
                guard size > 0 else { break }
                var chunkCost: Int64 = 0
                for i in 0..<n {
                    let price = walk[i].ladder[walk[i].level].price
                    let fee = try host.fee(
                        for: walk[i].market, side: legs[i].side, action: .buy, price: price, quantity: size)
                    walk[i].chunkFee = fee.fee
                    let shortfall = max(0, size - fee.delivered)
                    chunkCost += price * size + fee.fee * FixedPoint.centi + FixedPoint.micros * shortfall
                }
                // The chunk must itself earn the minimum edge per basket.
                guard chunkCost + minEdge * size <= payout * size else { break }
                baskets += size
                cost += chunkCost
                var exhausted = false
                for i in 0..<n {
                    walk[i].fees += walk[i].chunkFee
                    walk[i].worst = walk[i].ladder[walk[i].level].price
                    walk[i].left -= size
                    if walk[i].left == 0 {
                        walk[i].level += 1
                        if walk[i].level < walk[i].ladder.count {
                            walk[i].left = walk[i].ladder[walk[i].level].size
                        } else {
                            exhausted = true
                        }
                    }
                }
                if exhausted { break }
            }
            guard baskets > 0 else { return nil }
            let resultLegs = (0..<n).map { i in
                Leg(
                    memberIndex: legs[i].member.index, side: legs[i].side, limitPrice: walk[i].worst,
                    fee: ceilDiv(walk[i].fees * FixedPoint.centi, baskets))
            }
            // Per-basket cost rounded against us.
            return Opportunity(
                legs: resultLegs, payout: payout, cost: ceilDiv(cost, baskets), maxBaskets: baskets,
                resolutionTime: resolution)
        }
    }

    /// One leg's place in ``best(_:payout:minEdge:maxBaskets:maxPlausibleGap:host:)``'s walk.
    private struct LegWalk {
        let ladder: AskLadder
        let market: Market
        /// The ladder level being taken, and what is left of it.
        var level = 0
        var left: CentiContracts
        /// The last (worst) price taken.
        var worst: MicroDollars
        /// Fees of the baskets taken, and of the chunk being priced.
        var fees: MicroDollars = 0
        var chunkFee: MicroDollars = 0

        /// At the ladder's best level (which the caller checked is there), nothing taken yet.
        init(ladder: AskLadder, market: Market) {
            self.ladder = ladder
            self.market = market
            left = ladder[0].size
            worst = ladder[0].price
        }
    }

    /// The taker basket, or, when none clears and the settings ask for it, a maker estimate.
    /// Reports an implausibly large edge as an alarm (`what` names the basket in the note; it is
    /// built only when a basket is found, so a lane's label costs nothing on the common no-find path).
    public static func find(
        _ legs: [BasketLeg], payout: MicroDollars, minEdge: MicroDollars, settings: LaneSettings, host: HostServices,
        what: @autoclosure () -> String
    ) throws -> Opportunity? {
        if var o = try best(
            legs, payout: payout, minEdge: minEdge, maxBaskets: settings.maxBaskets,
            maxPlausibleGap: settings.maxPlausibleGap, host: host)
        {
            o.flagImplausible(maxGap: settings.maxPlausibleGap, what: what())
            return o
        }
        guard settings.makerEstimate else { return nil }
        return try makerEstimate(legs, payout: payout, minEdge: minEdge, baskets: settings.makerBaskets, host: host)
            .map { o in
                var o = o
                o.flagImplausible(
                    maxGap: settings.maxPlausibleGap, what: "\(what()) (maker estimate: one tick above each best bid)")
                return o
            }
    }

    /// Prices the basket as resting orders one tick above each leg's best bid (and below its
    /// best ask), with the venue's maker fee. It only says what posting could earn: whether the
    /// legs fill is the sizing chain's fill model's question.
    public static func makerEstimate(
        _ legs: [BasketLeg], payout: MicroDollars, minEdge: MicroDollars, baskets: CentiContracts, host: HostServices
    ) throws -> Opportunity? {
        var resultLegs: [Leg] = []
        var cost: Int64 = 0
        var resolution: Nanoseconds = 0
        for leg in legs {
            let market = leg.member.market
            guard market.isActive, !market.isMultivariate, let quote = leg.member.quote,
                let bid = quote.bestBid(leg.side), market.tick > 0
            else { return nil }
            let price = bid.price + market.tick
            if let ask = quote.bestAsk(leg.side), price >= ask.price { return nil }
            guard price < FixedPoint.micros else { return nil }
            let fee = try host.fee(
                for: market, side: leg.side, action: .buy, price: price, quantity: baskets, liquidity: .maker)
            cost += price * baskets + fee.fee * FixedPoint.centi + FixedPoint.micros * max(0, baskets - fee.delivered)
            resultLegs.append(
                Leg(
                    memberIndex: leg.member.index, side: leg.side, limitPrice: price,
                    fee: ceilDiv(fee.fee * FixedPoint.centi, baskets), liquidity: .maker))
            resolution = max(resolution, market.resolutionTime > 0 ? market.resolutionTime : market.closeTime)
        }
        guard cost + minEdge * baskets <= payout * baskets else { return nil }
        return Opportunity(
            legs: resultLegs, payout: payout, cost: ceilDiv(cost, baskets), maxBaskets: baskets,
            resolutionTime: resolution, isMakerEstimate: true)
    }

    /// Whether ``find(_:payout:minEdge:settings:host:what:)`` can return a basket whose legs'
    /// best asks sum to `askSum` (nil: a leg has no ask). The taker walk cannot clear what its
    /// price screen rejects; the maker estimate prices from bids, so with it on the answer is yes.
    /// Lanes ask before building leg arrays: most evaluations end here, without allocating.
    public static func mayFind(
        askSum: MicroDollars?, payout: MicroDollars, minEdge: MicroDollars, settings: LaneSettings
    )
        -> Bool
    {
        if settings.makerEstimate { return true }
        guard let askSum else { return false }
        return askSum + minEdge < payout
    }

    /// The sum of the members' best asks, each on the side `side` picks for it; nil when one has none.
    public static func askSum(_ members: Group.Members, side: (Member) -> Side) -> MicroDollars? {
        var sum: MicroDollars = 0
        for member in members {
            guard let ask = bestAsk(member, side(member)) else { return nil }
            sum += ask
        }
        return sum
    }

    /// The best ask price of `member`'s `side`, nil without a quote or an ask.
    @inline(__always)
    static func bestAsk(_ member: Member, _ side: Side) -> MicroDollars? {
        member.quote?.bestAsk(side)?.price
    }

    /// The latest close among a group's members (for the time-regime edge adjustment).
    public static func latestClose(_ members: Group.Members) -> Nanoseconds {
        members.reduce(0) { max($0, $1.market.closeTime) }
    }
}

/// Which contract of `member` pays when the group's outcome is YES.
@inline(__always)
public func groupYes(_ member: Member) -> Side { member.isInverted ? .no : .yes }

/// Integer division rounding up, for positive divisors.
@inline(__always)
public func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a > 0) == (b > 0)) ? q + 1 : q
}

extension Opportunity {
    /// Marks a find whose edge is implausibly large as a feed-integrity alarm, not a trade.
    public mutating func flagImplausible(maxGap: MicroDollars, what: String) {
        if edge > maxGap {
            isDataQualityAlarm = true
            note =
                "\(what): edge \(FixedPoint.format(edge, scale: FixedPoint.micros)) above the plausible "
                + "\(FixedPoint.format(maxGap, scale: FixedPoint.micros)): stale or mis-mapped feed"
        } else {
            note = what
        }
    }
}
