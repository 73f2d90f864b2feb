import PluginKit
import SizingSupport

/// Sizing step 11: concentration limits by venue, category and market (quant.md §3.4).
///
/// The host reports the open cost per venue, per category (the market's event id) and per
/// market. Each limit is a share of equity; the basket's cost on each venue/category/market
/// must fit in what is left. Default shares: venue 35%, category 20%, market 10%.
public final class ExposureStep: SizingStepPlugin {
    let venueShare: Int64
    let categoryShare: Int64
    let marketShare: Int64

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: ["venue_share", "category_share", "market_share"])
        venueShare = try config.fixed("venue_share", scale: FixedPoint.ppm) ?? 350_000
        categoryShare = try config.fixed("category_share", scale: FixedPoint.ppm) ?? 200_000
        marketShare = try config.fixed("market_share", scale: FixedPoint.ppm) ?? 100_000
        for share in [venueShare, categoryShare, marketShare] where !(1...FixedPoint.ppm).contains(share) {
            throw PluginError.config("shares must be in (0, 1]")
        }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let legs = context.legs(of: opportunity)
        guard !legs.isEmpty else { return SizingDecision(.keep, reason: "no legs to attribute (group not passed)") }
        // Cost per basket attributed to each venue, category and market.
        var perVenue: [String: MicroDollars] = [:]
        var perCategory: [String: MicroDollars] = [:]
        var perMarket: [String: MicroDollars] = [:]
        for leg in legs {
            let cost = (leg.leg.limitPrice * leg.ratio) / FixedPoint.centi + leg.leg.fee
            perVenue[leg.market.venue, default: 0] += cost
            perCategory[leg.market.eventID, default: 0] += cost
            perMarket[leg.market.marketID, default: 0] += cost
        }
        let equity = context.equity
        var cap = baskets
        var binding = ""
        func apply(_ kind: String, _ costs: [String: MicroDollars], _ open: [Exposure], _ share: Int64) {
            let limit = equity * share / FixedPoint.ppm
            for (key, cost) in costs where cost > 0 && !(kind == "category" && key.isEmpty) {
                let used = open.first { $0.key == key }?.open ?? 0
                let allowed = SizingSupport.baskets(affordableWith: limit - used, cost: cost)
                if allowed < cap {
                    cap = allowed
                    binding =
                        "\(kind) \(key): $\(FixedPoint.format(used, scale: FixedPoint.micros)) open of $\(FixedPoint.format(limit, scale: FixedPoint.micros))"
                }
            }
        }
        apply("venue", perVenue, context.venueExposure, venueShare)
        apply("category", perCategory, context.categoryExposure, categoryShare)
        apply("market", perMarket, context.marketExposure, marketShare)
        let metrics: [(name: String, value: Int64)] = [("cap_centi", cap)]
        guard cap > 0 else {
            return SizingDecision(.reject, reason: "concentration limit reached — \(binding)", metrics: metrics)
        }
        return cap < baskets
            ? SizingDecision(.resize(cap), reason: binding, metrics: metrics)
            : SizingDecision(.keep, reason: "within venue, category and market limits", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        ExposureStep.self,
        PluginMetadata(
            id: "sizing.exposure", name: "Exposure: venue, category, market concentration", version: "1.0.0",
            vendor: "arb"))
}
