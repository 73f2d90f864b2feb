import PluginKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the sizing steps read from an opportunity and its group, computed one way for all.
public struct LegView {
    public let leg: Leg
    public let market: Market
    public let quote: Quote?

    /// Contracts per basket.
    public var ratio: Int64 { leg.ratio }

    /// Visible size (centi-contracts) at prices no worse than the leg's limit.
    public var depthWithinLimit: CentiContracts {
        guard let quote else { return 0 }
        var total: CentiContracts = 0
        for level in quote.asks(leg.side) where level.price <= leg.limitPrice { total += level.size }
        return total
    }

    /// Best ask minus best bid of the leg's side, in micro-dollars; nil when a side is missing.
    public var spread: MicroDollars? {
        guard let quote, let ask = quote.bestAsk(leg.side), let bid = quote.bestBid(leg.side) else { return nil }
        return max(0, ask.price - bid.price)
    }

    /// Seconds since the quote was received (0 when unknown).
    public func ageSeconds(now: Nanoseconds) -> Double {
        guard let quote, quote.receiveTime > 0, now > quote.receiveTime else { return 0 }
        return Double(now - quote.receiveTime) / 1e9
    }
}

extension SizingContext {
    /// The legs with their markets and quotes; empty when the host passed no group.
    public func legs(of opportunity: Opportunity) -> [LegView] {
        guard let group else { return [] }
        let members = group.members
        return opportunity.legs.compactMap { leg in
            guard Int(leg.memberIndex) < members.count else { return nil }
            let member = members[Int(leg.memberIndex)]
            return LegView(leg: leg, market: member.market, quote: member.quote)
        }
    }

    /// Statistics of the lane that found the opportunity, if the host keeps any.
    public var ownLaneStatistics: LaneStatistics? {
        let id = laneID
        return laneStatistics.first { $0.laneID == id }
    }
}

/// A Beta posterior over a success probability (fills, wins), from counts and a prior.
public struct BetaPosterior: Sendable, Equatable {
    public var alpha: Double
    public var beta: Double

    public init(successes: Int64, failures: Int64, priorAlpha: Double = 1, priorBeta: Double = 1) {
        alpha = priorAlpha + Double(max(0, successes))
        beta = priorBeta + Double(max(0, failures))
    }

    public var mean: Double { alpha / (alpha + beta) }
    public var variance: Double { alpha * beta / ((alpha + beta) * (alpha + beta) * (alpha + beta + 1)) }
    /// Observations behind it (excluding the prior's pseudo-counts).
    public func observations(priorAlpha: Double = 1, priorBeta: Double = 1) -> Double {
        alpha + beta - priorAlpha - priorBeta
    }
}

/// Baskets (x100) that `budget` micro-dollars buys at `cost` per basket, rounded down.
public func baskets(affordableWith budget: MicroDollars, cost: MicroDollars) -> CentiContracts {
    guard cost > 0, budget > 0 else { return 0 }
    return budget * FixedPoint.centi / cost
}

/// A fraction in [0, 1] as parts per million, for metrics.
public func ppm(_ x: Double) -> Int64 { Int64((x * 1e6).rounded()) }

/// "12.5%" from a fraction.
public func percentText(_ x: Double) -> String { FixedPoint.format(Int64((x * 10_000).rounded()), scale: 100) + "%" }
