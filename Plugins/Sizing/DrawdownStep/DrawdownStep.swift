import PluginKit

/// Sizing step 12: scales baskets down as the drawdown from the equity high-water mark grows,
/// and halts new baskets past the halt tier or the daily loss cap (quant.md §3.11).
///
/// Tiers (defaults): drawdown >= 5% x0.75, >= 10% x0.50, >= 15% x0.25, >= 20% halt.
/// After a halt, trading resumes only once half of the drawdown is recovered; the trough that
/// decides this is persisted through the host's state service, so a restart or a hot swap of
/// this step does not forget that it halted.
public final class DrawdownStep: SizingStepPlugin {
    struct Tier {
        var drawdown: PartsPerMillion
        var multiplier: PartsPerMillion
    }

    let host: HostServices
    let tiers: [Tier]
    let haltDrawdown: PartsPerMillion
    let dailyLossCap: PartsPerMillion
    let resumeRecovery: PartsPerMillion
    /// Lowest equity seen since the halt began, or nil when not halted.
    private var haltTrough: MicroDollars?

    static let troughKey = "halt_trough_micros"

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        try config.rejectUnknownKeys(allowed: [
            "caution_at", "caution_multiplier", "reduce_at", "reduce_multiplier", "severe_at", "severe_multiplier",
            "halt_at", "daily_loss_cap", "resume_recovery",
        ])
        func ppm(_ key: String, _ fallback: PartsPerMillion) throws -> PartsPerMillion {
            let value = try config.fixed(key, scale: FixedPoint.ppm) ?? fallback
            guard (0...FixedPoint.ppm).contains(value) else {
                throw PluginError.config(
                    "\(key) must be between 0 and 1, got \(FixedPoint.format(value, scale: FixedPoint.ppm))")
            }
            return value
        }
        tiers = [
            Tier(drawdown: try ppm("severe_at", 150_000), multiplier: try ppm("severe_multiplier", 250_000)),
            Tier(drawdown: try ppm("reduce_at", 100_000), multiplier: try ppm("reduce_multiplier", 500_000)),
            Tier(drawdown: try ppm("caution_at", 50_000), multiplier: try ppm("caution_multiplier", 750_000)),
        ]
        haltDrawdown = try ppm("halt_at", 200_000)
        dailyLossCap = try ppm("daily_loss_cap", 20_000)
        resumeRecovery = try ppm("resume_recovery", 500_000)
        guard tiers[0].drawdown > tiers[1].drawdown, tiers[1].drawdown > tiers[2].drawdown,
            haltDrawdown > tiers[0].drawdown
        else {
            throw PluginError.config("tiers must increase: caution_at < reduce_at < severe_at < halt_at")
        }
        haltTrough = host.state(Self.troughKey).flatMap(Self.decode)
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let equity = context.equity
        let peak = max(context.highWaterMark, equity)
        guard peak > 0 else { return SizingDecision(.reject, reason: "no equity") }
        let drawdown = (peak - equity) * FixedPoint.ppm / peak
        let dayStart = context.dayStartEquity
        let dayLoss = dayStart > 0 ? max(0, dayStart - equity) * FixedPoint.ppm / dayStart : 0
        let metrics: [(name: String, value: Int64)] = [("drawdown_ppm", drawdown), ("day_loss_ppm", dayLoss)]

        if let trough = haltTrough {
            let recoverTo = trough + (peak - trough) * resumeRecovery / FixedPoint.ppm
            if equity < recoverTo {
                try remember(trough: min(trough, equity))
                return SizingDecision(
                    .reject, reason: "halted: equity \(dollars(equity)) below resume level \(dollars(recoverTo))",
                    metrics: metrics)
            }
            try remember(trough: nil)
        }
        if drawdown >= haltDrawdown {
            try remember(trough: equity)
            return SizingDecision(
                .reject, reason: "halt: drawdown \(percent(drawdown)) >= \(percent(haltDrawdown))", metrics: metrics)
        }
        if dayLoss >= dailyLossCap {
            return SizingDecision(
                .reject, reason: "daily loss \(percent(dayLoss)) >= cap \(percent(dailyLossCap))", metrics: metrics)
        }
        guard let tier = tiers.first(where: { drawdown >= $0.drawdown }) else {
            return SizingDecision(.keep, reason: "safe: drawdown \(percent(drawdown))", metrics: metrics)
        }
        let scaled = baskets * tier.multiplier / FixedPoint.ppm
        return SizingDecision(
            scaled > 0 ? .resize(scaled) : .reject,
            reason:
                "caution: drawdown \(percent(drawdown)) >= \(percent(tier.drawdown)), size x\(FixedPoint.format(tier.multiplier, scale: FixedPoint.ppm))",
            metrics: metrics + [("multiplier_ppm", tier.multiplier)])
    }

    private func remember(trough: MicroDollars?) throws {
        guard trough != haltTrough else { return }
        haltTrough = trough
        try host.setState(Self.troughKey, trough.map { Array(String($0).utf8) } ?? [])
    }

    static func decode(_ bytes: [UInt8]) -> MicroDollars? { Int64(String(decoding: bytes, as: UTF8.self)) }
}

func percent(_ ppm: PartsPerMillion) -> String { FixedPoint.format(ppm, scale: 10_000) + "%" }
func dollars(_ micros: MicroDollars) -> String { "$" + FixedPoint.format(micros, scale: FixedPoint.micros) }
