import PluginHost
import PluginKit

/// An independent check of what lanes report: it knows only the rule's meaning (which states of
/// the world are possible), the books the test built and the venue's published fee formula, and
/// enumerates every possible state. It shares no code with the lanes.
struct PayoffEnumerator {
    let rule: GroupRule
    /// Per member: its ask ladders as the test set them, best first.
    let yesAsks: [[Level]]
    let noAsks: [[Level]]
    /// Per member: Kalshi's taker fee coefficient of its venue, ppm.
    let feeCoefficient: [Int64]

    /// Every possible state of the world, as each member's own YES outcome.
    var states: [[Bool]] {
        let n = rule.members.count
        func own(_ groupYes: [Bool]) -> [Bool] { zip(groupYes, rule.members).map { $0 != $1.isInverted } }
        switch rule.kind {
        case .pair, .parity, .single:
            return [own(Array(repeating: true, count: n)), own(Array(repeating: false, count: n))]
        case .bucket:
            var s = (0..<n).map { i in own((0..<n).map { $0 == i }) }
            if !rule.isExhaustive { s.append(own(Array(repeating: false, count: n))) }
            return s
        case .tree where rule.isLadder:
            // Rank i implies rank j > i: in state t exactly the ranks >= t are true.
            let ranks = rule.members.map(\.role)
            return (0...n).map { t in own(ranks.map { Int($0) >= t }) }
        case .tree:
            let parent = rule.members.firstIndex { $0.role == 0 }!
            let children = rule.members.indices.filter { $0 != parent }
            var s = children.map { c in own(rule.members.indices.map { $0 == parent || $0 == c }) }
            s.append(own(Array(repeating: false, count: n)))
            if !rule.isExhaustive { s.append(own(rule.members.indices.map { $0 == parent })) }
            return s
        }
    }

    /// ceil(k · C · P · (1 − P)) to the cent, in micro-dollars (Kalshi's published taker fee).
    static func fee(coefficient k: Int64, price p: Int64, quantity c: Int64) -> Int64 {
        // k ppm · c centi · p micro · (1 − p) micro = 1e-20 dollars; one cent = 1e18 of them.
        let x = Int128(k) * Int128(c) * Int128(p) * Int128(1_000_000 - p)
        let cent = Int128(1_000_000_000_000_000_000)
        return Int64((x + cent - 1) / cent) * 10_000
    }

    struct Verdict {
        var worstPayoutPerBasket: Int64
        /// Micro-dollars over all baskets: payout in the worst state minus every price and fee.
        var worstProfit: Int64
        var problems: [String]
    }

    /// Buys `baskets` of the opportunity level by level from the books and prices every state.
    func check(_ o: Opportunity) -> Verdict {
        var problems: [String] = []
        var paid: Int64 = 0  // micro-dollars × centi-contracts
        var fees: Int64 = 0
        for leg in o.legs {
            let m = Int(leg.memberIndex)
            if o.isMakerEstimate {
                // A resting order fills at its own price, whole or not at all in this check.
                let quantity = o.maxBaskets * leg.ratio / 100
                paid += leg.limitPrice * quantity
                fees += Self.fee(coefficient: feeCoefficient[m], price: leg.limitPrice, quantity: quantity)
                continue
            }
            var want = o.maxBaskets * leg.ratio / 100
            let ladder = leg.side == .yes ? yesAsks[m] : noAsks[m]
            for level in ladder where want > 0 {
                guard level.price <= leg.limitPrice else { break }
                let take = min(want, level.size)
                paid += level.price * take
                fees += Self.fee(coefficient: feeCoefficient[m], price: level.price, quantity: take)
                want -= take
            }
            if want > 0 { problems.append("leg \(m) \(leg.side) cannot fill \(o.maxBaskets) at or below its limit") }
        }
        let payouts = states.map { state in
            o.legs.reduce(Int64(0)) { sum, leg in
                let yes = state[Int(leg.memberIndex)]
                return sum + ((leg.side == .yes) == yes ? leg.ratio * 10_000 : 0)
            }
        }
        let worst = payouts.min() ?? 0
        let cost = (paid + 99) / 100 + fees
        if o.payout > worst { problems.append("claims payout \(o.payout) but the worst state pays \(worst)") }
        return Verdict(
            worstPayoutPerBasket: worst, worstProfit: worst * o.maxBaskets / 100 - cost, problems: problems)
    }
}
