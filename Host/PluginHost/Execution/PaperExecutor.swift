import CArbPluginAPI
import PluginKit

/// Fills a plan against the current books, as a taker would: each leg walks its ask ladder
/// up to the leg's limit price, each level a separate fill with the venue's exact fee. Nothing
/// is sent anywhere. A basket counts as complete only as far as every leg filled; what one leg
/// bought beyond that is valued at zero (the legging loss a live executor would have to unwind).
public struct PaperExecution: Sendable, Equatable {
    public struct LegFill: Sendable, Equatable {
        public var market: MarketKey
        public var side: Side
        public var quantity: CentiContracts
        /// Prices paid, micro-dollars × centi-contracts / 100, rounded up: exact to the micro.
        public var cost: MicroDollars
        public var fee: MicroDollars
    }

    public var legs: [LegFill]
    public var completeBaskets: CentiContracts
    /// Worst-case payout of the complete baskets minus everything paid, fees included.
    public var pnl: MicroDollars
    public var isComplete: Bool
}

enum PaperExecutor {
    /// - Parameters:
    ///   - asks: the current ask ladder of each leg, best first.
    ///   - fee: the venue's fee for one fill (market, side, price, quantity).
    static func execute(
        _ opportunity: Opportunity, baskets: CentiContracts, markets: [MarketKey], asks: [[Level]],
        fee: (Int, MicroDollars, CentiContracts) throws -> FeeResult
    ) rethrows -> PaperExecution {
        var fills: [PaperExecution.LegFill] = []
        var complete = baskets
        var paid: MicroDollars = 0
        for (i, leg) in opportunity.legs.enumerated() {
            let wanted = baskets * leg.ratio / FixedPoint.centi
            var filled: CentiContracts = 0
            var notional: Int64 = 0  // micro-dollars × centi-contracts
            var fees: MicroDollars = 0
            var delivered: CentiContracts = 0
            for level in asks[i] where filled < wanted && level.price <= leg.limitPrice {
                let take = min(level.size, wanted - filled)
                let f = try fee(i, level.price, take)
                filled += take
                delivered += f.delivered
                notional += level.price * take
                fees += f.fee
            }
            let cost = (notional + FixedPoint.centi - 1) / FixedPoint.centi
            fills.append(.init(market: markets[i], side: leg.side, quantity: filled, cost: cost, fee: fees))
            paid += cost + fees
            complete = min(complete, leg.ratio > 0 ? delivered * FixedPoint.centi / leg.ratio : 0)
        }
        let payout = opportunity.payout * complete / FixedPoint.centi
        return PaperExecution(
            legs: fills, completeBaskets: complete, pnl: payout - paid, isComplete: complete == baskets && baskets > 0)
    }
}
