import PluginKit

/// The `[config]` keys every lane shares, all optional:
///
/// | key | type | default | meaning |
/// |---|---|---|---|
/// | `min_edge` | decimal dollars | `"0.005"` | worst-case profit per basket after fees |
/// | `max_plausible_gap` | decimal dollars | `"0.20"` | a larger edge at the top of the books is a stale or mis-mapped feed: reported as an alarm |
/// | `max_baskets` | decimal contracts | `"10000"` | cap on the depth walk |
/// | `allow_unreviewed` | bool | `false` | also trade groups no person approved |
/// | `near_term_days` / `near_term_factor` | int / decimal | `14` / `"0.9"` | min edge x factor when the last leg closes within the days |
/// | `far_term_days` / `far_term_factor` | int / decimal | `60` / `"1.25"` | min edge x factor (25% penalty) when it closes later |
/// | `maker_estimate` | bool | `false` | when no taker basket clears, also price one posting one tick above each leg's best bid (maker fees), flagged as an estimate |
/// | `maker_baskets` | decimal contracts | `"10"` | the size of such an estimate |
public struct LaneSettings: Sendable {
    public static let keys: Set<String> = [
        "min_edge", "max_plausible_gap", "max_baskets", "allow_unreviewed", "near_term_days", "near_term_factor",
        "far_term_days", "far_term_factor", "maker_estimate", "maker_baskets",
    ]

    public var minEdge: MicroDollars = 5_000
    public var maxPlausibleGap: MicroDollars = 200_000
    public var maxBaskets: CentiContracts = 1_000_000
    public var allowUnreviewed = false
    public var nearTermDays: Int64 = 14
    public var nearTermFactor: PartsPerMillion = 900_000
    public var farTermDays: Int64 = 60
    public var farTermFactor: PartsPerMillion = 1_250_000
    public var makerEstimate = false
    public var makerBaskets: CentiContracts = 1_000

    /// Reads the shared keys; `extraKeys` are the lane's own, checked by the lane.
    public init(_ config: borrowing ConfigReader, extraKeys: Set<String> = []) throws {
        try config.rejectUnknownKeys(allowed: Self.keys.union(extraKeys))
        minEdge = try config.fixed("min_edge", scale: FixedPoint.micros) ?? minEdge
        maxPlausibleGap = try config.fixed("max_plausible_gap", scale: FixedPoint.micros) ?? maxPlausibleGap
        maxBaskets = try config.fixed("max_baskets", scale: FixedPoint.centi) ?? maxBaskets
        allowUnreviewed = try config.bool("allow_unreviewed") ?? allowUnreviewed
        nearTermDays = try config.int("near_term_days") ?? nearTermDays
        nearTermFactor = try config.fixed("near_term_factor", scale: FixedPoint.ppm) ?? nearTermFactor
        farTermDays = try config.int("far_term_days") ?? farTermDays
        farTermFactor = try config.fixed("far_term_factor", scale: FixedPoint.ppm) ?? farTermFactor
        makerEstimate = try config.bool("maker_estimate") ?? makerEstimate
        makerBaskets = try config.fixed("maker_baskets", scale: FixedPoint.centi) ?? makerBaskets
        guard makerBaskets > 0 else { throw PluginError.config("maker_baskets must be > 0") }
        guard minEdge >= 0 else { throw PluginError.config("min_edge must be >= 0, got \(minEdge) micro-dollars") }
        guard maxBaskets > 0 else { throw PluginError.config("max_baskets must be > 0") }
        guard maxPlausibleGap > 0 else { throw PluginError.config("max_plausible_gap must be > 0") }
        guard nearTermDays < farTermDays else {
            throw PluginError.config("near_term_days (\(nearTermDays)) must be below far_term_days (\(farTermDays))")
        }
        guard nearTermFactor > 0, farTermFactor > 0 else { throw PluginError.config("term factors must be > 0") }
    }

    /// The minimum edge after the time-regime adjustment: easier near term, stricter far term.
    public func minimumEdge(closeTime: Nanoseconds, now: Nanoseconds) -> MicroDollars {
        guard closeTime > 0 else { return minEdge }
        let day: Int64 = 86_400_000_000_000
        let days = (closeTime - now) / day
        if days <= nearTermDays { return minEdge * nearTermFactor / FixedPoint.ppm }
        if days >= farTermDays { return minEdge * farTermFactor / FixedPoint.ppm }
        return minEdge
    }

    /// The least ``minimumEdge(closeTime:now:)`` can return, whatever the close time: lanes
    /// screen with it before reading their members' close times (a cold line per member).
    public var lowestMinimumEdge: MicroDollars {
        min(minEdge, minEdge * nearTermFactor / FixedPoint.ppm, minEdge * farTermFactor / FixedPoint.ppm)
    }

    /// Whether a group may be traded at all under these settings.
    public func admits(_ group: Group) -> Bool { group.isReviewed || allowUnreviewed }
}
