import PluginKit

/// Two members whose group-YES contracts pay in exactly the same states (a cross-venue pair,
/// an equivalent or complementary parity rule after polarity is applied).
///
/// Both baskets pay $1 in every state: group-YES on `a` with group-NO on `b`, and the reverse.
public enum EquivalentPair {
    public static func baskets(
        _ a: Member, _ b: Member, settings: LaneSettings, now: Nanoseconds, host: HostServices, what: String
    ) throws -> [Opportunity] {
        var minEdge: MicroDollars?  // read from the close times only for a pair that passes the first screen
        var found: [Opportunity] = []
        // Both directions, screened on the two best asks before any leg array is made: first at
        // the lowest edge any close time asks for, then at the pair's own.
        for direction in 0..<2 {
            let (x, y) = direction == 0 ? (a, b) : (b, a)
            let (sx, sy) = (groupYes(x), groupYes(y).opposite)
            let askSum = BasketWalk.bestAsk(x, sx).flatMap { p in BasketWalk.bestAsk(y, sy).map { p + $0 } }
            guard
                BasketWalk.mayFind(
                    askSum: askSum, payout: FixedPoint.micros, minEdge: settings.lowestMinimumEdge, settings: settings)
            else { continue }
            let edge =
                minEdge ?? settings.minimumEdge(closeTime: max(a.market.closeTime, b.market.closeTime), now: now)
            minEdge = edge
            guard BasketWalk.mayFind(askSum: askSum, payout: FixedPoint.micros, minEdge: edge, settings: settings)
            else { continue }
            guard
                let o = try BasketWalk.find(
                    [BasketLeg(member: x, side: sx), BasketLeg(member: y, side: sy)], payout: FixedPoint.micros,
                    minEdge: edge, settings: settings, host: host, what: what)
            else { continue }
            found.append(o)
        }
        return found
    }
}
