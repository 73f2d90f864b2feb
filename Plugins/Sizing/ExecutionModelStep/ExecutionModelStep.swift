import PluginKit
import SizingSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Sizing step 1: what can really be executed in the time it takes to send the legs.
///
/// Per leg, the visible depth at or better than the limit decays with the time the order needs
/// to arrive (quote age + latency, plus `sequential_delay` per earlier leg when legs go one by
/// one): depth × 2^(−offset / half_life) — queue decay. The basket size is capped at the
/// smallest decayed depth (partial fills are the norm, not the exception). Market impact of
/// taking C contracts against depth D costs min(spread·(C/D)·impact, cap·spread) per contract;
/// a basket whose edge that impact eats is rejected.
public final class ExecutionModelStep: SizingStepPlugin {
    let latency: Double
    let halfLife: Double
    let sequentialDelay: Double
    let impactCoefficient: Double
    let impactCap: Double

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: [
            "latency_ms", "half_life_ms", "sequential_delay_ms", "impact", "impact_cap",
        ])
        latency = Double(try config.int("latency_ms") ?? 200) / 1_000
        halfLife = Double(try config.int("half_life_ms") ?? 5_000) / 1_000
        sequentialDelay = Double(try config.int("sequential_delay_ms") ?? 0) / 1_000
        impactCoefficient = try config.ratio("impact", default: 10_000)
        impactCap = try config.ratio("impact_cap", default: 500_000)
        guard halfLife > 0, latency >= 0 else { throw PluginError.config("half_life_ms must be > 0, latency_ms >= 0") }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let legs = context.legs(of: opportunity)
        guard !legs.isEmpty else { return SizingDecision(.keep, reason: "no book to model (group not passed)") }
        var executable = baskets
        var impactPerBasket = 0.0
        for (i, leg) in legs.enumerated() {
            let offset = leg.ageSeconds(now: context.now) + latency + Double(i) * sequentialDelay
            let decay = pow(2, -offset / halfLife)
            let depth = Double(leg.depthWithinLimit) * decay
            executable = min(executable, CentiContracts(depth) * FixedPoint.centi / max(leg.ratio, 1))
            if let spread = leg.spread, leg.depthWithinLimit > 0 {
                let share = Double(baskets * leg.ratio / FixedPoint.centi) / Double(leg.depthWithinLimit)
                impactPerBasket +=
                    min(Double(spread) * share * impactCoefficient, impactCap * Double(spread))
                    * Double(leg.ratio) / Double(FixedPoint.centi)
            }
        }
        let metrics: [(name: String, value: Int64)] = [
            ("executable_centi", executable), ("impact_micros", Int64(impactPerBasket.rounded(.up))),
        ]
        guard Double(opportunity.edge) > impactPerBasket else {
            return SizingDecision(.reject, reason: "market impact eats the edge", metrics: metrics)
        }
        guard executable > 0 else {
            return SizingDecision(.reject, reason: "no depth left by the time the orders arrive", metrics: metrics)
        }
        return executable < baskets
            ? SizingDecision(
                .resize(executable), reason: "decayed depth fills \(FixedPoint.format(executable, scale: 100)) baskets",
                metrics: metrics)
            : SizingDecision(.keep, reason: "depth covers the size", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        ExecutionModelStep.self,
        PluginMetadata(
            id: "sizing.execution_model", name: "Execution model: queue decay, impact, partial fills", version: "1.0.0",
            vendor: "arb"))
}
