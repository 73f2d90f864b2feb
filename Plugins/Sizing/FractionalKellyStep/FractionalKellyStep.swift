import PluginKit
import SizingSupport

/// The alternate Kelly for A/B tests: plain fractional Kelly, stake = λ·f*·equity with
/// f* = (q·g − (1 − q)·ℓ) / (g·ℓ) capped at 1, q the lane's posterior completion rate.
/// No shrinkage, no tail cap, no warm-up: the comparison shows what those add.
public final class FractionalKellyStep: SizingStepPlugin {
    let unwindLoss: Double
    let fraction: Double

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: ["unwind_loss", "fraction"])
        unwindLoss = try config.ratio("unwind_loss", default: 30_000)
        fraction = try config.ratio("fraction", default: 250_000)
        guard fraction > 0, fraction <= 0.5 else { throw PluginError.config("fraction must be in (0, 0.5]") }
        guard unwindLoss > 0, unwindLoss < 1 else { throw PluginError.config("unwind_loss must be in (0, 1)") }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        guard opportunity.cost > 0, opportunity.edge > 0 else {
            return SizingDecision(.reject, reason: "no positive edge to size")
        }
        let stats = context.ownLaneStatistics
        let q = BetaPosterior(successes: stats?.wins ?? 0, failures: stats?.losses ?? 0).mean
        let g = Double(opportunity.edge) / Double(opportunity.cost)
        let kelly = min(1, (q * g - (1 - q) * unwindLoss) / (g * unwindLoss))
        let metrics: [(name: String, value: Int64)] = [("q_ppm", ppm(q)), ("kelly_ppm", ppm(kelly))]
        guard kelly > 0 else {
            return SizingDecision(
                .reject, reason: "Kelly fraction \(percentText(kelly)) is not positive", metrics: metrics)
        }
        let stake = fraction * kelly * Double(context.equity)
        let cap = SizingSupport.baskets(affordableWith: MicroDollars(stake), cost: opportunity.cost)
        guard cap > 0 else {
            return SizingDecision(.reject, reason: "stake buys less than one basket", metrics: metrics)
        }
        return cap < baskets
            ? SizingDecision(
                .resize(cap), reason: "fractional Kelly \(percentText(fraction * kelly)) of equity", metrics: metrics)
            : SizingDecision(.keep, reason: "within fractional Kelly", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        FractionalKellyStep.self,
        PluginMetadata(
            id: "sizing.kelly_fractional", name: "Plain fractional Kelly (A/B alternate)", version: "1.0.0",
            vendor: "arb"))
}
