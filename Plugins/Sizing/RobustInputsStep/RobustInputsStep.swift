import PluginKit
import SizingSupport

/// Sizing step 5: robust statistics on the inputs (quant.md §3.10).
///
/// Each lane's recent edges (per basket, as a fraction of cost) form a window. A new
/// opportunity whose edge is far out — a modified z-score 0.6745·(x − median)/MAD above
/// `mad_z`, or beyond the IQR fence Q3 + `iqr_fence`·IQR — is what a stale or mis-mapped quote
/// looks like, so it is rejected, not sized. Edges are winsorised at the 5th/95th percentile
/// before they enter the window, so one wild value cannot widen the fences for the next.
/// Needs `min_samples` before it judges anything. Prices move in ticks, so a window of near-equal
/// edges has a tiny MAD; an outlier must also lie `min_deviation` (in return on cost) from the
/// median, or every tick of movement would look like a jump.
public final class RobustInputsStep: SizingStepPlugin {
    let window: Int
    let minSamples: Int
    let madZ: Double
    let iqrFence: Double
    let minDeviation: Double
    /// Recent edge ratios per lane. Instance state: one engine thread calls it.
    private var history: [String: [Double]] = [:]

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: ["window", "min_samples", "mad_z", "iqr_fence", "min_deviation"])
        window = Int(try config.int("window") ?? 200)
        minSamples = Int(try config.int("min_samples") ?? 5)
        madZ = try config.ratio("mad_z", default: 3_500_000)
        iqrFence = try config.ratio("iqr_fence", default: 3_000_000)
        minDeviation = try config.ratio("min_deviation", default: 20_000)
        guard window >= minSamples, minSamples >= 3 else { throw PluginError.config("need window >= min_samples >= 3") }
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        guard opportunity.cost > 0 else { return SizingDecision(.reject, reason: "no cost") }
        let x = Double(opportunity.edge) / Double(opportunity.cost)
        let lane = context.laneID
        var samples = history[lane, default: []]
        defer { history[lane] = samples }
        guard samples.count >= minSamples else {
            samples.append(x)
            return SizingDecision(.keep, reason: "collecting samples (\(samples.count) of \(minSamples))")
        }
        let stats = RobustStatistics(samples)
        let z = stats.modifiedZ(x)
        let upperFence = stats.q3 + iqrFence * stats.iqr
        let metrics: [(name: String, value: Int64)] = [("mad_z_ppm", ppm(z)), ("median_ppm", ppm(stats.median))]
        samples.append(stats.winsorized(x))
        if samples.count > window { samples.removeFirst(samples.count - window) }
        if x - stats.median >= minDeviation, z > madZ || x > upperFence {
            return SizingDecision(
                .reject,
                reason:
                    "edge \(percentText(x)) of cost is an outlier (MAD z \(FixedPoint.format(ppm(z), scale: FixedPoint.ppm)), fence \(percentText(upperFence)))",
                metrics: metrics)
        }
        return SizingDecision(.keep, reason: "edge within the lane's usual range", metrics: metrics)
    }
}

/// Median, quartiles (linear interpolation), MAD and winsorising bounds of a sample.
struct RobustStatistics {
    let median: Double
    let q1: Double
    let q3: Double
    let mad: Double
    let meanAbsoluteDeviation: Double
    let p5: Double
    let p95: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        func quantile(_ p: Double) -> Double {
            let position = p * Double(sorted.count - 1)
            let lower = Int(position)
            let upper = min(lower + 1, sorted.count - 1)
            return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
        }
        median = quantile(0.5)
        q1 = quantile(0.25)
        q3 = quantile(0.75)
        p5 = quantile(0.05)
        p95 = quantile(0.95)
        let deviations = sorted.map { abs($0 - quantile(0.5)) }.sorted()
        mad =
            deviations.count % 2 == 1
            ? deviations[deviations.count / 2]
            : (deviations[deviations.count / 2 - 1] + deviations[deviations.count / 2]) / 2
        meanAbsoluteDeviation = deviations.reduce(0, +) / Double(deviations.count)
    }

    var iqr: Double { q3 - q1 }

    /// Iglewicz–Hoaglin modified z-score; with MAD = 0 it falls back to the mean absolute
    /// deviation × 1.2533 (quant.md §3.10), and to 0 when every sample is equal.
    func modifiedZ(_ x: Double) -> Double {
        if mad > 0 { return 0.6745 * (x - median) / mad }
        let scale = meanAbsoluteDeviation * 1.2533
        return scale > 0 ? (x - median) / scale : 0
    }

    func winsorized(_ x: Double) -> Double { min(max(x, p5), p95) }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        RobustInputsStep.self,
        PluginMetadata(
            id: "sizing.robust_inputs", name: "Robust inputs: MAD z-scores, IQR fences, winsorising", version: "1.0.0",
            vendor: "arb"))
}
