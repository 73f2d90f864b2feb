import PluginKit

/// Lane (a): buy YES and NO of the same market when both asks plus fees cost less than $1.
///
/// On a consistent book this cannot persist (each ask mirrors the other side's bid, and the
/// venue would have matched the two bidders), so by default every find is reported as a
/// data-quality alarm rather than a trade (quant.md §1.1). The walk is depth-aware: it takes
/// ask levels of both sides in price order while each added chunk still clears the edge
/// after its own fees, and reports the executable size at that edge.
public final class IntraVenueLane: LanePlugin {
    public static let groupKinds: Set<GroupKind> = [.single]

    let host: HostServices
    let settings: Settings

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        self.settings = try Settings(config)
    }

    public func evaluate(_ group: Group, emit: (Opportunity) -> Bool) throws {
        for member in group.members {
            guard let opportunity = try basket(for: member, now: group.now) else { continue }
            if !emit(opportunity) { return }
        }
    }

    /// The YES+NO basket on one market, or nil when none clears the edge.
    func basket(for member: Member, now: Nanoseconds) throws -> Opportunity? {
        let market = member.market
        guard market.isActive, !market.isMultivariate, let quote = member.quote else { return nil }
        let yesAsks = quote.asks(.yes)
        let noAsks = quote.asks(.no)
        guard let bestYes = yesAsks.first, let bestNo = noAsks.first else { return nil }
        let payout = FixedPoint.micros
        // A gap this large is a stale or broken feed, not money on the table.
        let topGap = payout - bestYes.price - bestNo.price
        guard topGap > 0 else { return nil }
        let minEdge = settings.minimumEdge(closeTime: market.closeTime, now: now)

        var walk = LadderWalk(yes: yesAsks, no: noAsks)
        var baskets: CentiContracts = 0
        var cost: MicroDollars = 0  // x100: micro-dollars per centi-basket, kept exact
        var yesFee: MicroDollars = 0
        var noFee: MicroDollars = 0
        var worstYes = bestYes.price
        var worstNo = bestNo.price
        while let chunk = walk.next(), baskets < settings.maxBaskets {
            let size = min(chunk.size, settings.maxBaskets - baskets)
            // Each chunk is priced as its own fill, so per-fill rounding is never underestimated.
            let fy = try host.fee(for: market, side: .yes, action: .buy, price: chunk.yesPrice, quantity: size).fee
            let fn = try host.fee(for: market, side: .no, action: .buy, price: chunk.noPrice, quantity: size).fee
            let chunkCost = (chunk.yesPrice + chunk.noPrice) * size + (fy + fn) * FixedPoint.centi
            // The chunk must itself earn at least the minimum edge per basket.
            guard chunkCost + minEdge * size <= payout * size else { break }
            baskets += size
            cost += chunkCost
            yesFee += fy
            noFee += fn
            worstYes = chunk.yesPrice
            worstNo = chunk.noPrice
        }
        guard baskets > 0 else { return nil }
        // Per-basket figures, rounded against us.
        let costPerBasket = ceilDiv(cost, baskets)
        let yesFeePerBasket = ceilDiv(yesFee * FixedPoint.centi, baskets)
        let noFeePerBasket = ceilDiv(noFee * FixedPoint.centi, baskets)
        let alarm = settings.alarmOnly || topGap > settings.maxPlausibleGap
        return Opportunity(
            legs: [
                Leg(memberIndex: member.index, side: .yes, limitPrice: worstYes, fee: yesFeePerBasket),
                Leg(memberIndex: member.index, side: .no, limitPrice: worstNo, fee: noFeePerBasket),
            ],
            payout: payout, cost: costPerBasket, maxBaskets: baskets, resolutionTime: market.resolutionTime,
            isDataQualityAlarm: alarm,
            note: alarm
                ? "YES+NO asks below $1 on one book: feed-integrity alarm (gap \(FixedPoint.format(topGap, scale: FixedPoint.micros)))"
                : "YES+NO below $1 after fees")
    }
}

/// Integer division rounding up, for positive divisors.
@inline(__always)
func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a > 0) == (b > 0)) ? q + 1 : q
}
