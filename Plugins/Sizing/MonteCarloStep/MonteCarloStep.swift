import PluginKit
import SizingSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Sizing step 8: Monte Carlo of legging risk (quant.md §3.8). Seeded by the host's per-
/// opportunity seed, so the same opportunity always gets the same verdict.
///
/// Legs go thinnest first (ascending fill probability, so a failure comes before the easy legs
/// are committed). Leg i fills with p_i = min(1, depth/size)·e^(−age/staleness). When a leg
/// fails, the filled ones are unwound: half their spread plus an adverse move |N(0,1)|·σ·√t,
/// t growing with the legs already sent. A full basket earns its edge. Accepts when the mean
/// P&L per basket is positive and the 5% quantile is above −`loss_multiple`·ℓ·cost.
public final class MonteCarloStep: SizingStepPlugin {
    let paths: Int
    let sigmaPerSqrtSecond: Double
    let legSeconds: Double
    let staleness: Double
    let unwindLoss: Double
    let lossMultiple: Double

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: [
            "paths", "sigma_per_sqrt_s", "leg_seconds", "staleness_s", "unwind_loss", "loss_multiple",
        ])
        paths = Int(try config.int("paths") ?? 2_000)
        sigmaPerSqrtSecond = Double(try config.fixed("sigma_per_sqrt_s", scale: FixedPoint.micros) ?? 2_000)
        legSeconds = try config.ratio("leg_seconds", default: 500_000)
        staleness = Double(try config.int("staleness_s") ?? 120)
        unwindLoss = try config.ratio("unwind_loss", default: 30_000)
        lossMultiple = try config.ratio("loss_multiple", default: 1_500_000)
        guard (100...1_000_000).contains(paths) else {
            throw PluginError.config("paths must be between 100 and 1000000")
        }
    }

    /// Per-basket P&L outcomes in micro-dollars, sorted. Exposed for tests.
    func simulate(
        _ opportunity: Opportunity, _ legs: [LegView], baskets: CentiContracts, seed: UInt64, now: Nanoseconds
    ) -> [Double] {
        struct Leg {
            var p: Double
            var halfSpread: Double
            var ratio: Double
        }
        let modelled = legs.map { leg -> Leg in
            let size = Double(baskets * leg.ratio / FixedPoint.centi)
            let depthShare = size > 0 ? min(1, Double(leg.depthWithinLimit) / size) : 1
            return Leg(
                p: depthShare * exp(-leg.ageSeconds(now: now) / staleness),
                halfSpread: Double(leg.spread ?? 10_000) / 2, ratio: Double(leg.ratio) / 100)
        }.sorted { $0.p < $1.p }
        var rng = SplitMix64(seed: seed)
        var outcomes: [Double] = []
        outcomes.reserveCapacity(paths)
        for _ in 0..<paths {
            var pnl = Double(opportunity.edge)
            for (i, leg) in modelled.enumerated() where rng.uniform() >= leg.p {
                // Leg i failed: unwind legs 0..<i.
                pnl = 0
                for j in 0..<i {
                    let move = abs(rng.normal()) * sigmaPerSqrtSecond * (legSeconds * Double(i - j)).squareRoot()
                    pnl -= (modelled[j].halfSpread + move) * modelled[j].ratio
                }
                break
            }
            outcomes.append(pnl)
        }
        return outcomes.sorted()
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let legs = context.legs(of: opportunity)
        guard !legs.isEmpty else { return SizingDecision(.keep, reason: "no book to simulate (group not passed)") }
        let outcomes = simulate(opportunity, legs, baskets: baskets, seed: context.seed, now: context.now)
        let mean = outcomes.reduce(0, +) / Double(outcomes.count)
        let q05 = outcomes[outcomes.count / 20]
        let pLoss = Double(outcomes.prefix { $0 < 0 }.count) / Double(outcomes.count)
        let floor = -lossMultiple * unwindLoss * Double(opportunity.cost)
        let metrics: [(name: String, value: Int64)] = [
            ("mean_micros", Int64(mean.rounded())), ("q05_micros", Int64(q05.rounded())), ("p_loss_ppm", ppm(pLoss)),
            ("paths", Int64(outcomes.count)),
        ]
        guard mean > 0 else {
            return SizingDecision(
                .reject, reason: "mean P&L per basket is not positive after legging risk", metrics: metrics)
        }
        guard q05 > floor else {
            return SizingDecision(.reject, reason: "5% quantile below the unwind-loss floor", metrics: metrics)
        }
        return SizingDecision(
            .keep,
            reason:
                "mean $\(FixedPoint.format(Int64(mean.rounded()), scale: FixedPoint.micros)) per basket, P(loss) \(percentText(pLoss))",
            metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        MonteCarloStep.self,
        PluginMetadata(
            id: "sizing.monte_carlo", name: "Monte Carlo of legging risk (seeded)", version: "1.0.0", vendor: "arb"))
}
