import PluginKit

/// Two members whose group-YES contracts pay in exactly the same states (a cross-venue pair,
/// an equivalent or complementary parity rule after polarity is applied).
///
/// Both baskets pay $1 in every state: group-YES on `a` with group-NO on `b`, and the reverse.
public enum EquivalentPair {
    public static func baskets(
        _ a: Member, _ b: Member, settings: LaneSettings, now: Nanoseconds, host: HostServices, what: String
    ) throws -> [Opportunity] {
        let minEdge = settings.minimumEdge(closeTime: BasketWalk.latestClose([a, b]), now: now)
        var found: [Opportunity] = []
        for (x, y) in [(a, b), (b, a)] {
            let legs = [BasketLeg(member: x, side: groupYes(x)), BasketLeg(member: y, side: groupYes(y).opposite)]
            guard
                let o = try BasketWalk.find(
                    legs, payout: FixedPoint.micros, minEdge: minEdge, settings: settings, host: host, what: what)
            else { continue }
            found.append(o)
        }
        return found
    }
}
