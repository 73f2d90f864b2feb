import PluginKit
import SizingSupport

/// Sizing step 9: Sharpe-weighted bankroll per lane (quant.md §3.12).
///
/// Per lane with at least `min_trades` baskets: Sharpe = mean / stdev of return on cost, shrunk
/// by n/(n + 30); weight ∝ max(Sharpe', 0). Lanes with fewer trades get `unscored_weight`.
/// Weights are clamped to [min_weight, max_weight], renormalised when they sum above 1, and
/// smoothed with an EMA (α = `smoothing`) against the previous allocation. A basket may use at
/// most its lane's weight × equity.
public final class LaneAllocatorStep: SizingStepPlugin {
    let minTrades: Int64
    let unscoredWeight: Double
    let minWeight: Double
    let maxWeight: Double
    let smoothing: Double
    /// The previous allocation per lane (instance state; the engine thread is the only caller).
    private var previous: [String: Double] = [:]

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: [
            "min_trades", "unscored_weight", "min_weight", "max_weight", "smoothing",
        ])
        minTrades = try config.int("min_trades") ?? 10
        unscoredWeight = try config.ratio("unscored_weight", default: 200_000)
        minWeight = try config.ratio("min_weight", default: 50_000)
        maxWeight = try config.ratio("max_weight", default: 400_000)
        smoothing = try config.ratio("smoothing", default: 300_000)
        guard 0 < minWeight, minWeight <= maxWeight, maxWeight <= 1, smoothing > 0, smoothing <= 1 else {
            throw PluginError.config("need 0 < min_weight <= max_weight <= 1 and 0 < smoothing <= 1")
        }
    }

    /// The target weight of every lane in `statistics` (plus `lane` if missing).
    func weights(_ statistics: [LaneStatistics], lane: String) -> [String: Double] {
        var raw: [String: Double] = [:]
        var scored: [String: Double] = [:]
        for s in statistics {
            guard s.baskets >= minTrades, s.stdevReturn > 0 else {
                raw[s.laneID] = unscoredWeight
                continue
            }
            let n = Double(s.baskets)
            scored[s.laneID] = max(0, Double(s.meanReturn) / Double(s.stdevReturn)) * n / (n + 30)
        }
        if raw[lane] == nil, scored[lane] == nil { raw[lane] = unscoredWeight }
        let unscoredTotal = raw.values.reduce(0, +)
        let scoreTotal = scored.values.reduce(0, +)
        let available = max(0, 1 - unscoredTotal)
        for (id, score) in scored {
            let share = scoreTotal > 0 ? available * score / scoreTotal : 0
            raw[id] = min(maxWeight, max(minWeight, share))
        }
        let total = raw.values.reduce(0, +)
        if total > 1 { raw = raw.mapValues { $0 / total } }
        return raw
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let lane = context.laneID
        let target = weights(context.laneStatistics, lane: lane)[lane] ?? unscoredWeight
        let weight = previous[lane].map { smoothing * target + (1 - smoothing) * $0 } ?? target
        previous[lane] = weight
        let budget = MicroDollars(weight * Double(context.equity))
        let cap = SizingSupport.baskets(affordableWith: budget, cost: opportunity.cost)
        let metrics: [(name: String, value: Int64)] = [("weight_ppm", ppm(weight)), ("budget_micros", budget)]
        guard cap > 0 else { return SizingDecision(.reject, reason: "lane budget buys no basket", metrics: metrics) }
        return cap < baskets
            ? SizingDecision(
                .resize(cap), reason: "lane \(lane) weight \(percentText(weight)) of equity", metrics: metrics)
            : SizingDecision(.keep, reason: "within lane \(lane)'s \(percentText(weight)) budget", metrics: metrics)
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        LaneAllocatorStep.self,
        PluginMetadata(
            id: "sizing.lane_allocator", name: "Sharpe-weighted lane allocator", version: "1.0.0", vendor: "arb"))
}
