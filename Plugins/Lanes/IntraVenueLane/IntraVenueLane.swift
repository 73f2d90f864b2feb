import LaneSupport
import PluginKit

/// Lane (a): buy YES and NO of the same market when both asks plus fees cost less than $1.
///
/// On a consistent book this cannot persist (each ask mirrors the other side's bid, and the
/// venue would have matched the two bidders), so by default every find is reported as a
/// data-quality alarm rather than a trade (quant.md §1.1). The walk is `LaneSupport`'s
/// depth-aware one: both ask ladders in price order while each chunk still clears the edge
/// after its own fees.
///
/// `[config]`: the keys every lane shares (`LaneSettings`) plus `alarm_only` (bool, default
/// `true`: report every find as a data-quality alarm).
public final class IntraVenueLane: LanePlugin {
    public static let groupKinds: Set<GroupKind> = [.single]

    let host: HostServices
    let settings: LaneSettings
    let alarmOnly: Bool

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        settings = try LaneSettings(config, extraKeys: ["alarm_only"])
        alarmOnly = try config.bool("alarm_only") ?? true
    }

    public func evaluate(_ group: Group, emit: (Opportunity) -> Bool) throws {
        for member in group.members {
            guard let opportunity = try basket(for: member, now: group.now) else { continue }
            if !emit(opportunity) { return }
        }
    }

    /// The YES+NO basket on one market, or nil when none clears the edge.
    func basket(for member: Member, now: Nanoseconds) throws -> Opportunity? {
        // The common case, a consistent book, ends here without building anything.
        guard let quote = member.quote, let yes = quote.bestAsk(.yes), let no = quote.bestAsk(.no),
            yes.price + no.price < FixedPoint.micros
        else { return nil }
        let minEdge = settings.minimumEdge(closeTime: member.market.closeTime, now: now)
        guard
            var o = try BasketWalk.best(
                [BasketLeg(member: member, side: .yes), BasketLeg(member: member, side: .no)],
                payout: FixedPoint.micros, minEdge: minEdge, maxBaskets: settings.maxBaskets,
                maxPlausibleGap: settings.maxPlausibleGap, host: host)
        else { return nil }
        // The gap at the top of the book: a large one is a stale or broken feed, not money.
        let topGap = FixedPoint.micros - yes.price - no.price
        o.isDataQualityAlarm = alarmOnly || topGap > settings.maxPlausibleGap
        o.note =
            o.isDataQualityAlarm
            ? "YES+NO asks below $1 on one book: feed-integrity alarm (gap \(FixedPoint.format(topGap, scale: FixedPoint.micros)))"
            : "YES+NO below $1 after fees"
        return o
    }
}
