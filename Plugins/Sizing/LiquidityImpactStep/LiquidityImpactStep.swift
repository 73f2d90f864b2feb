import PluginKit
import SizingSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Sizing step 6: power-law slippage from book depth (quant.md §3.6).
///
/// With D the smallest visible depth within the legs' limits (contracts) and C the planned
/// contracts, slippage as a fraction of cost is κ·(C/D)^β. The size is capped where that
/// slippage would consume the edge, C ≤ D·((edge/cost)/κ)^(1/β), and at `max_depth_share` of D;
/// a book thinner than `min_depth` contracts is rejected.
public final class LiquidityImpactStep: SizingStepPlugin {
    let kappa: Double
    let beta: Double
    let maxDepthShare: Double
    let minDepth: Double

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: ["kappa", "beta", "max_depth_share", "min_depth"])
        kappa = try config.ratio("kappa", default: 100_000)
        beta = try config.ratio("beta", default: 1_500_000)
        maxDepthShare = try config.ratio("max_depth_share", default: 500_000)
        minDepth = Double(try config.fixed("min_depth", scale: FixedPoint.centi) ?? 500) / 100
        guard kappa > 0, beta > 0, maxDepthShare > 0, maxDepthShare <= 1 else {
            throw PluginError.config("need kappa > 0, beta > 0, 0 < max_depth_share <= 1")
        }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let legs = context.legs(of: opportunity)
        guard !legs.isEmpty, opportunity.cost > 0 else { return SizingDecision(.keep, reason: "no book to model") }
        // Depth in baskets: each leg's depth divided by its contracts per basket.
        let depth = legs.map { Double($0.depthWithinLimit) / Double(max($0.ratio, 1)) }.min() ?? 0
        let g = Double(opportunity.edge) / Double(opportunity.cost)
        guard depth >= minDepth else {
            return SizingDecision(.reject, reason: "depth \(depth) baskets below the minimum \(minDepth)")
        }
        let edgeLimit = g > 0 ? depth * pow(g / kappa, 1 / beta) : 0
        let limit = min(edgeLimit, maxDepthShare * depth)
        let cap = CentiContracts((limit * 100).rounded(.down))
        let planned = Double(baskets) / 100
        let metrics: [(name: String, value: Int64)] = [
            ("depth_centi", CentiContracts(depth * 100)), ("cap_centi", cap),
            ("slippage_ppm", ppm(kappa * pow(planned / depth, beta))),
        ]
        guard cap > 0 else {
            return SizingDecision(.reject, reason: "slippage eats the edge at any size", metrics: metrics)
        }
        return cap < baskets
            ? SizingDecision(.resize(cap), reason: "slippage κ(C/D)^β caps the size", metrics: metrics)
            : SizingDecision(.keep, reason: "slippage within the edge", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        LiquidityImpactStep.self,
        PluginMetadata(
            id: "sizing.liquidity_impact", name: "Liquidity impact: power-law slippage", version: "1.0.0", vendor: "arb"
        ))
}
