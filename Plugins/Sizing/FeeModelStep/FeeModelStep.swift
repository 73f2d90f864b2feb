import PluginKit
import SizingSupport

/// Sizing step 3: fees at the planned size, from each leg's venue plugin.
///
/// Lanes price fees per ladder chunk; the venue charges per order, and its rounding depends on
/// the order's size (Kalshi rounds each fill up to the cent). This step asks the venue for each
/// leg's fee at the planned quantity and recomputes the worst-case edge per basket. While the
/// edge is below `min_edge` it halves the size (fewer contracts can round worse or better);
/// below one basket it rejects.
public final class FeeModelStep: SizingStepPlugin {
    let host: HostServices
    let minEdge: MicroDollars
    let liquidity: Liquidity

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        try config.rejectUnknownKeys(allowed: ["min_edge", "liquidity"])
        minEdge = try config.fixed("min_edge", scale: FixedPoint.micros) ?? 5_000
        switch try config.string("liquidity") ?? "taker" {
        case "taker": liquidity = .taker
        case "maker": liquidity = .maker
        case let other: throw PluginError.config("liquidity must be \"taker\" or \"maker\", got \"\(other)\"")
        }
    }

    /// Worst-case edge per basket at `baskets`, with every leg's fee for the whole order.
    func edge(_ opportunity: Opportunity, _ legs: [LegView], baskets: CentiContracts) throws -> (
        MicroDollars, MicroDollars
    ) {
        var fees: MicroDollars = 0
        var prices: MicroDollars = 0
        for leg in legs {
            let quantity = baskets * leg.ratio / FixedPoint.centi
            fees += try host.fee(
                for: leg.market, side: leg.leg.side, action: leg.leg.action, price: leg.leg.limitPrice,
                quantity: quantity,
                liquidity: liquidity
            ).fee
            prices += leg.leg.limitPrice * leg.ratio / FixedPoint.centi
        }
        // Fees per basket, rounded up against us.
        let feePerBasket = (fees * FixedPoint.centi + baskets - 1) / baskets
        return (opportunity.payout - prices - feePerBasket, feePerBasket)
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let legs = context.legs(of: opportunity)
        guard !legs.isEmpty, baskets > 0 else {
            return SizingDecision(.keep, reason: "no legs to price (group not passed)")
        }
        var size = baskets
        while size >= FixedPoint.centi {
            let (edge, fee) = try edge(opportunity, legs, baskets: size)
            let metrics: [(name: String, value: Int64)] = [("edge_micros", edge), ("fee_per_basket_micros", fee)]
            if edge >= minEdge {
                return size < baskets
                    ? SizingDecision(
                        .resize(size),
                        reason:
                            "fees at full size leave too little; edge $\(FixedPoint.format(edge, scale: FixedPoint.micros)) at this size",
                        metrics: metrics)
                    : SizingDecision(
                        .keep,
                        reason: "edge $\(FixedPoint.format(edge, scale: FixedPoint.micros)) per basket after fees",
                        metrics: metrics)
            }
            size /= 2
        }
        return SizingDecision(
            .reject, reason: "no size clears $\(FixedPoint.format(minEdge, scale: FixedPoint.micros)) after fees")
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        FeeModelStep.self,
        PluginMetadata(id: "sizing.fee_model", name: "Venue fees at the planned size", version: "1.0.0", vendor: "arb"))
}
