import PluginKit
import SizingSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Sizing step 2: the probability that every leg fills at its planned price.
///
/// Per leg: p = min(1, depth / size) · e^(−age / staleness) · (1 − min(0.9, spread)). Legs on the
/// same venue fail together more often than independent ones, so the joint probability blends
/// the weakest leg and the product: q_all = ρ·min p + (1 − ρ)·Π p, ρ = `same_venue_correlation`
/// when all legs share a venue, else `cross_venue_correlation` (quant.md §3.1). Rejects below
/// `min_fill_probability`.
public final class FillModelStep: SizingStepPlugin {
    let staleness: Double
    let sameVenueCorrelation: Double
    let crossVenueCorrelation: Double
    let minimum: Double

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: [
            "staleness_s", "same_venue_correlation", "cross_venue_correlation", "min_fill_probability",
        ])
        staleness = Double(try config.int("staleness_s") ?? 120)
        sameVenueCorrelation =
            try config.ratio("same_venue_correlation", default: 700_000)
        crossVenueCorrelation =
            try config.ratio("cross_venue_correlation", default: 200_000)
        minimum = try config.ratio("min_fill_probability", default: 300_000)
        guard staleness > 0 else { throw PluginError.config("staleness_s must be > 0") }
    }

    /// The joint fill probability of the legs at `baskets`.
    func probability(_ legs: [LegView], baskets: CentiContracts, now: Nanoseconds) -> (joint: Double, legs: [Double]) {
        let perLeg = legs.map { leg -> Double in
            let size = Double(baskets * leg.ratio / FixedPoint.centi)
            let depthShare = size > 0 ? min(1, Double(leg.depthWithinLimit) / size) : 1
            let spread = Double(leg.spread ?? 0) / 1e6
            return depthShare * exp(-leg.ageSeconds(now: now) / staleness) * (1 - min(0.9, spread))
        }
        guard let weakest = perLeg.min() else { return (1, []) }
        let sameVenue = legs.dropFirst().allSatisfy { $0.market.isSameVenue(as: legs[0].market) }
        let rho = sameVenue ? sameVenueCorrelation : crossVenueCorrelation
        return (rho * weakest + (1 - rho) * perLeg.reduce(1, *), perLeg)
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let legs = context.legs(of: opportunity)
        guard !legs.isEmpty else { return SizingDecision(.keep, reason: "no book to model (group not passed)") }
        let (q, perLeg) = probability(legs, baskets: baskets, now: context.now)
        let metrics: [(name: String, value: Int64)] =
            [("q_all_ppm", ppm(q))]
            + perLeg.enumerated().map { (name: "q_leg\($0.offset)_ppm", value: ppm($0.element)) }
        guard q >= minimum else {
            return SizingDecision(
                .reject, reason: "fill probability \(percentText(q)) below \(percentText(minimum))", metrics: metrics)
        }
        return SizingDecision(.keep, reason: "fill probability \(percentText(q))", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        FillModelStep.self,
        PluginMetadata(
            id: "sizing.fill_model", name: "Fill probability with same-venue correlation", version: "1.0.0",
            vendor: "arb"))
}
