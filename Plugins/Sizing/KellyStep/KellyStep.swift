import PluginKit
import SizingSupport

/// Sizing step 4: execution-aware Kelly with Baker–McHale shrinkage and a tail-risk cap
/// (quant.md §3.1–3.4).
///
/// A basket either completes (return g = edge / cost, probability q) or legs out and is unwound
/// at a loss ℓ of the stake. q is the posterior mean of the lane's completed-vs-failed record,
/// Beta(1 + wins, 1 + losses). Then:
///
/// - f* = (q·g − (1 − q)·ℓ) / (g·ℓ); trade only if q ≥ q_min + margin, q_min = ℓ / (g + ℓ);
/// - k  = (q − q_min)² / ((q − q_min)² + Var q)  (Baker–McHale), clipped to [floor, 1] once
///   `full_shrink_after` outcomes are recorded;
/// - stake = min(λ·k·f*, 1) · equity, and never more than the tail cap:
///   stress_multiple · ℓ · stake ≤ tail_max_loss · equity;
/// - with fewer than `min_observations` outcomes, only one basket (the venue minimum).
public final class KellyStep: SizingStepPlugin {
    let unwindLoss: Double
    let fraction: Double
    let shrinkFloor: Double
    let fullShrinkAfter: Double
    let minObservations: Double
    let qMargin: Double
    let stressMultiple: Double
    let tailMaxLoss: Double

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: [
            "unwind_loss", "fraction", "shrink_floor", "full_shrink_after", "min_observations", "q_margin",
            "stress_multiple", "tail_max_loss",
        ])
        unwindLoss = try config.ratio("unwind_loss", default: 30_000)
        fraction = try config.ratio("fraction", default: 250_000)
        shrinkFloor = try config.ratio("shrink_floor", default: 250_000)
        fullShrinkAfter = Double(try config.int("full_shrink_after") ?? 50)
        minObservations = Double(try config.int("min_observations") ?? 10)
        qMargin = try config.ratio("q_margin", default: 100_000)
        stressMultiple = try config.ratio("stress_multiple", default: 3_000_000)
        tailMaxLoss = try config.ratio("tail_max_loss", default: 20_000)
        guard fraction > 0, fraction <= 0.5 else {
            throw PluginError.config("fraction must be in (0, 0.5]: above half Kelly the drawdown risk is not worth it")
        }
        guard unwindLoss > 0, unwindLoss < 1 else { throw PluginError.config("unwind_loss must be in (0, 1)") }
        guard tailMaxLoss > 0, stressMultiple >= 1 else {
            throw PluginError.config("tail_max_loss must be > 0 and stress_multiple >= 1")
        }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        guard opportunity.cost > 0, opportunity.edge > 0 else {
            return SizingDecision(.reject, reason: "no positive edge to size")
        }
        let stats = context.ownLaneStatistics
        let posterior = BetaPosterior(successes: stats?.wins ?? 0, failures: stats?.losses ?? 0)
        let n = posterior.observations()
        if n < minObservations {
            return SizingDecision(
                baskets > FixedPoint.centi ? .resize(FixedPoint.centi) : .keep,
                reason: "only \(Int(n)) outcomes recorded: one basket until \(Int(minObservations))",
                metrics: [("observations", Int64(n))])
        }
        let g = Double(opportunity.edge) / Double(opportunity.cost)
        let l = unwindLoss
        let q = posterior.mean
        let qMin = l / (g + l)
        var metrics: [(name: String, value: Int64)] = [("q_ppm", ppm(q)), ("q_min_ppm", ppm(qMin))]
        guard q >= qMin + qMargin else {
            return SizingDecision(
                .reject, reason: "fill record q \(percentText(q)) below break-even \(percentText(qMin)) + margin",
                metrics: metrics)
        }
        let kelly = (q * g - (1 - q) * l) / (g * l)
        var shrink = (q - qMin) * (q - qMin) / ((q - qMin) * (q - qMin) + posterior.variance)
        if n >= fullShrinkAfter { shrink = min(1, max(shrinkFloor, shrink)) }
        let stakeFraction = min(1, fraction * shrink * kelly)
        let equity = Double(context.equity)
        let tailCap = tailMaxLoss * equity / (stressMultiple * l)
        let stake = min(stakeFraction * equity, tailCap)
        let cap = SizingSupport.baskets(affordableWith: MicroDollars(stake), cost: opportunity.cost)
        metrics += [
            ("kelly_ppm", ppm(kelly)), ("shrink_ppm", ppm(shrink)), ("stake_fraction_ppm", ppm(stakeFraction)),
            ("stake_micros", Int64(stake)), ("cap_centi", cap),
        ]
        let capped = stake < stakeFraction * equity ? "tail cap" : "Kelly stake"
        guard cap > 0 else {
            return SizingDecision(.reject, reason: "\(capped) buys less than one basket", metrics: metrics)
        }
        if cap < baskets {
            return SizingDecision(
                .resize(cap), reason: "\(capped) $\(FixedPoint.format(Int64(stake), scale: FixedPoint.micros))",
                metrics: metrics)
        }
        return SizingDecision(.keep, reason: "within \(capped)", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        KellyStep.self,
        PluginMetadata(
            id: "sizing.kelly", name: "Tail-risk Kelly with Baker–McHale shrinkage", version: "1.0.0", vendor: "arb"))
}
