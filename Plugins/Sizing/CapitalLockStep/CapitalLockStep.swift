import PluginKit
import SizingSupport

/// Sizing step 7: the time-to-resolution hurdle (quant.md §3.9).
///
/// Capital is locked until the basket pays: T = days to resolution + `settlement_days`. The
/// return r = edge / cost, annualised simply (r·365/T), must beat `hurdle_apr` minus the carry
/// the venues pay on the locked positions (ForecastEx's incentive coupon, Kalshi's interest),
/// given per venue as `carry.<venue> = "0.0314"` and weighted by each leg's cost. Baskets that
/// lock capital longer than `max_days` are rejected.
public final class CapitalLockStep: SizingStepPlugin {
    let hurdle: Double
    let settlementDays: Double
    let maxDays: Double
    let carry: [String: Double]

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        var carry: [String: Double] = [:]
        for key in config.keys {
            if key.hasPrefix("carry.") {
                carry[String(key.dropFirst("carry.".count))] =
                    Double(try config.fixed(key, scale: FixedPoint.ppm) ?? 0) / 1e6
            } else if !["hurdle_apr", "settlement_days", "max_days"].contains(key) {
                throw PluginError.config(
                    "unknown key \(key) (known: hurdle_apr, settlement_days, max_days, carry.<venue>)")
            }
        }
        self.carry = carry
        hurdle = try config.ratio("hurdle_apr", default: 100_000)
        settlementDays = try config.ratio("settlement_days", default: 1_000_000)
        maxDays = Double(try config.int("max_days") ?? 30)
        guard settlementDays >= 0, maxDays > 0 else {
            throw PluginError.config("settlement_days >= 0 and max_days > 0")
        }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        guard opportunity.resolutionTime > 0 else {
            return SizingDecision(.reject, reason: "resolution time unknown: cannot price the capital lock")
        }
        let days = max(0, Double(opportunity.resolutionTime - context.now) / 86_400e9) + settlementDays
        let r = Double(opportunity.edge) / Double(max(opportunity.cost, 1))
        let apr = r * 365 / max(days, 1.0 / 24)
        let legs = context.legs(of: opportunity)
        let weights = legs.map { Double($0.leg.limitPrice * $0.ratio) }
        let total = weights.reduce(0, +)
        let venueCarry =
            total > 0 ? zip(legs, weights).map { (carry[$0.market.venue] ?? 0) * $1 }.reduce(0, +) / total : 0
        let needed = hurdle - venueCarry
        let metrics: [(name: String, value: Int64)] = [
            ("days_ppm", ppm(days)), ("apr_ppm", ppm(apr)), ("hurdle_ppm", ppm(needed)),
        ]
        guard days <= maxDays else {
            return SizingDecision(
                .reject, reason: "capital locked \(Int(days.rounded(.up))) days, more than \(Int(maxDays))",
                metrics: metrics)
        }
        guard apr >= needed else {
            return SizingDecision(
                .reject, reason: "APR \(percentText(apr)) below hurdle \(percentText(needed))", metrics: metrics)
        }
        return SizingDecision(
            .keep, reason: "APR \(percentText(apr)) over \(FixedPoint.format(ppm(days), scale: FixedPoint.ppm)) days",
            metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        CapitalLockStep.self,
        PluginMetadata(
            id: "sizing.capital_lock", name: "Capital lock: time-to-resolution hurdle", version: "1.0.0", vendor: "arb")
    )
}
