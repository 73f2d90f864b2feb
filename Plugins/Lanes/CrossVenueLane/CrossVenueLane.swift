import LaneSupport
import PluginKit

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.lane(
        CrossVenueLane.self,
        PluginMetadata(id: "lane.cross_venue", name: "Cross-venue pair lane", version: "1.0.0", vendor: "arb"))
}

/// Lane (b): the same event on two venues. Buys group-YES on one venue and group-NO on the
/// other, in both directions, when the pair costs less than $1 after both venues' fees
/// (quant.md §1.2). Polarity comes from the mapping (a pair may match YES with NO).
///
/// The payout is riskless only if both venues resolve on the same terms, so the lane trades
/// reviewed pairs only (`allow_unreviewed`), can require terms checked equal
/// (`require_same_terms`), skips pairs whose quotes were received too far apart
/// (`max_pair_skew_ms`, default 60,000: a stale leg is no hedge), and skips pairs whose venues
/// expect to resolve far apart (`max_resolution_gap_hours`, default 48, when both times are
/// known): two contracts that settle days apart are rarely the same question.
public final class CrossVenueLane: LanePlugin {
    public static let groupKinds: Set<GroupKind> = [.pair]

    let host: HostServices
    let settings: LaneSettings
    let requireSameTerms: Bool
    let maxPairSkew: Nanoseconds

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        settings = try LaneSettings(
            config, extraKeys: ["require_same_terms", "max_pair_skew_ms", "max_resolution_gap_hours"])
        requireSameTerms = try config.bool("require_same_terms") ?? false
        let skew = try config.int("max_pair_skew_ms") ?? 60_000
        guard skew > 0 else { throw PluginError.config("max_pair_skew_ms must be > 0") }
        maxPairSkew = skew * 1_000_000
        let hours = try config.int("max_resolution_gap_hours") ?? 48
        guard hours > 0 else { throw PluginError.config("max_resolution_gap_hours must be > 0") }
        maxResolutionGap = hours * 3_600_000_000_000
    }

    let maxResolutionGap: Nanoseconds

    /// Both resolution times known and further apart than allowed: not the same terms.
    func resolveApart(_ a: Market, _ b: Market) -> Bool {
        let ta = a.resolutionTime > 0 ? a.resolutionTime : a.closeTime
        let tb = b.resolutionTime > 0 ? b.resolutionTime : b.closeTime
        return ta > 0 && tb > 0 && abs(ta - tb) > maxResolutionGap
    }

    public func evaluate(_ group: Group, emit: (Opportunity) -> Bool) throws {
        guard group.members.count == 2, settings.admits(group), group.hasSameTerms || !requireSameTerms else { return }
        let a = group.members[0]
        let b = group.members[1]
        guard !a.market.isSameVenue(as: b.market), let qa = a.quote, let qb = b.quote else { return }
        guard abs(qa.receiveTime - qb.receiveTime) <= maxPairSkew, !resolveApart(a.market, b.market) else { return }
        for o in try EquivalentPair.baskets(
            a, b, settings: settings, now: group.now, host: host, what: "cross-venue pair")
        where !emit(o) {
            return
        }
    }
}
