import PluginKit
import SizingSupport

/// Sizing step 10: a loss budget scaled by confidence in the lane.
///
/// Confidence c is the lane's posterior completion rate, Beta(1 + wins, 1 + losses). The budget
/// is min(equity·(floor + span·c), `max_budget`); a basket that legs out loses about ℓ of its
/// cost, so at most budget / (ℓ·cost) baskets are allowed. A budget under `min_budget` rejects.
public final class LossCapStep: SizingStepPlugin {
    let floor: Double
    let span: Double
    let maxBudget: MicroDollars
    let minBudget: MicroDollars
    let unwindLoss: Double

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: ["floor", "span", "max_budget", "min_budget", "unwind_loss"])
        floor = try config.ratio("floor", default: 2_000)
        span = try config.ratio("span", default: 18_000)
        maxBudget = try config.fixed("max_budget", scale: FixedPoint.micros) ?? 500_000_000
        minBudget = try config.fixed("min_budget", scale: FixedPoint.micros) ?? 1_000_000
        unwindLoss = try config.ratio("unwind_loss", default: 30_000)
        guard floor >= 0, span >= 0, unwindLoss > 0 else {
            throw PluginError.config("floor, span >= 0 and unwind_loss > 0")
        }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let stats = context.ownLaneStatistics
        let confidence = BetaPosterior(successes: stats?.wins ?? 0, failures: stats?.losses ?? 0).mean
        let budget = min(MicroDollars(Double(context.equity) * (floor + span * confidence)), maxBudget)
        let metrics: [(name: String, value: Int64)] = [("confidence_ppm", ppm(confidence)), ("budget_micros", budget)]
        guard budget >= minBudget else {
            return SizingDecision(
                .reject,
                reason: "loss budget $\(FixedPoint.format(budget, scale: FixedPoint.micros)) below the minimum",
                metrics: metrics)
        }
        let lossPerBasket = MicroDollars((unwindLoss * Double(opportunity.cost)).rounded(.up))
        let cap = SizingSupport.baskets(affordableWith: budget, cost: max(lossPerBasket, 1))
        return cap < baskets
            ? SizingDecision(
                .resize(cap),
                reason:
                    "loss budget $\(FixedPoint.format(budget, scale: FixedPoint.micros)) at confidence \(percentText(confidence))",
                metrics: metrics)
            : SizingDecision(.keep, reason: "within loss budget", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        LossCapStep.self,
        PluginMetadata(id: "sizing.loss_cap", name: "Confidence-scaled loss cap", version: "1.0.0", vendor: "arb"))
}
