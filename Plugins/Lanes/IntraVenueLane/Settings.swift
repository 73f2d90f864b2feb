import PluginKit

extension IntraVenueLane {
    /// The lane's `[config]`, every key optional:
    ///
    /// | key | type | default | meaning |
    /// |---|---|---|---|
    /// | `min_edge` | decimal dollars | `"0.005"` | worst-case profit per basket after fees |
    /// | `max_plausible_gap` | decimal dollars | `"0.20"` | a larger top-of-book gap is a broken feed |
    /// | `alarm_only` | bool | `true` | report every find as a data-quality alarm |
    /// | `max_baskets` | decimal contracts | `"10000"` | cap on the depth walk |
    /// | `near_term_days` / `near_term_factor` | int / decimal | `14` / `"0.9"` | min edge x factor when closing within the days |
    /// | `far_term_days` / `far_term_factor` | int / decimal | `60` / `"1.25"` | min edge x factor (25% penalty) when closing later |
    struct Settings {
        var minEdge: MicroDollars = 5_000
        var maxPlausibleGap: MicroDollars = 200_000
        var alarmOnly = true
        var maxBaskets: CentiContracts = 1_000_000
        var nearTermDays: Int64 = 14
        var nearTermFactor: PartsPerMillion = 900_000
        var farTermDays: Int64 = 60
        var farTermFactor: PartsPerMillion = 1_250_000

        init(_ config: borrowing ConfigReader) throws {
            try config.rejectUnknownKeys(allowed: [
                "min_edge", "max_plausible_gap", "alarm_only", "max_baskets", "near_term_days", "near_term_factor",
                "far_term_days", "far_term_factor",
            ])
            minEdge = try config.fixed("min_edge", scale: FixedPoint.micros) ?? minEdge
            maxPlausibleGap = try config.fixed("max_plausible_gap", scale: FixedPoint.micros) ?? maxPlausibleGap
            alarmOnly = try config.bool("alarm_only") ?? alarmOnly
            maxBaskets = try config.fixed("max_baskets", scale: FixedPoint.centi) ?? maxBaskets
            nearTermDays = try config.int("near_term_days") ?? nearTermDays
            nearTermFactor = try config.fixed("near_term_factor", scale: FixedPoint.ppm) ?? nearTermFactor
            farTermDays = try config.int("far_term_days") ?? farTermDays
            farTermFactor = try config.fixed("far_term_factor", scale: FixedPoint.ppm) ?? farTermFactor
            guard minEdge >= 0 else { throw PluginError.config("min_edge must be >= 0, got \(minEdge) micro-dollars") }
            guard maxBaskets > 0 else { throw PluginError.config("max_baskets must be > 0") }
            guard nearTermDays < farTermDays else {
                throw PluginError.config(
                    "near_term_days (\(nearTermDays)) must be below far_term_days (\(farTermDays))")
            }
            guard nearTermFactor > 0, farTermFactor > 0 else { throw PluginError.config("term factors must be > 0") }
        }

        /// The minimum edge after the time-regime adjustment: easier near term, stricter far term.
        func minimumEdge(closeTime: Nanoseconds, now: Nanoseconds) -> MicroDollars {
            guard closeTime > 0 else { return minEdge }
            let day: Int64 = 86_400_000_000_000
            let days = (closeTime - now) / day
            if days <= nearTermDays { return minEdge * nearTermFactor / FixedPoint.ppm }
            if days >= farTermDays { return minEdge * farTermFactor / FixedPoint.ppm }
            return minEdge
        }
    }
}
