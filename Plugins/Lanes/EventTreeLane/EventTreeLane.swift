import LaneSupport
import PluginKit

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.lane(
        EventTreeLane.self,
        PluginMetadata(id: "lane.event_tree", name: "Event tree and ladder lane", version: "1.0.0", vendor: "arb"))
}

/// Lane (e): implications between markets (quant.md §1.5).
///
/// - **Partition trees** (parent, role 0, is the disjoint union of its children, role 1):
///   parent-YES + every child-NO pays n in every state (children exclusive and inside the
///   parent). Parent-NO + every child-YES pays 1 only when the children cover the parent, so it
///   is tried only on groups flagged exhaustive.
/// - **Ladders** (`ARB_GROUP_LADDER`; rank i implies rank j for i < j: higher strikes, earlier
///   deadlines): YES on the later rank plus NO on the earlier pays at least 1. The scan is
///   O(m): for each rank j it pairs the cheapest NO ask among earlier ranks.
public final class EventTreeLane: LanePlugin {
    public static let groupKinds: Set<GroupKind> = [.tree]

    let host: HostServices
    let settings: LaneSettings

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        settings = try LaneSettings(config)
    }

    public func evaluate(_ group: Group, emit: (Opportunity) -> Bool) throws {
        guard group.members.count >= 2, settings.admits(group) else { return }
        let members = Array(group.members)
        let minEdge = settings.minimumEdge(closeTime: BasketWalk.latestClose(group.members), now: group.now)
        if group.isLadder {
            try ladder(members, minEdge: minEdge, emit: emit)
        } else {
            try partition(members, exhaustive: group.isExhaustive, minEdge: minEdge, emit: emit)
        }
    }

    func partition(_ members: [Member], exhaustive: Bool, minEdge: MicroDollars, emit: (Opportunity) -> Bool) throws {
        guard let parent = members.first(where: { $0.role == 0 }) else { return }
        let children = members.filter { $0.role == 1 }
        guard !children.isEmpty else { return }
        let n = MicroDollars(children.count)
        // Parent YES + children NO: n in every state.
        var legs = [BasketLeg(member: parent, side: groupYes(parent))]
        legs += children.map { BasketLeg(member: $0, side: groupYes($0).opposite) }
        if let o = try BasketWalk.find(
            legs, payout: n * FixedPoint.micros, minEdge: minEdge, settings: settings, host: host,
            what: "tree: parent YES + children NO")
        {
            if !emit(o) { return }
        }
        guard exhaustive else { return }
        // Parent NO + children YES: 1 in every state, only if the children cover the parent.
        legs = [BasketLeg(member: parent, side: groupYes(parent).opposite)]
        legs += children.map { BasketLeg(member: $0, side: groupYes($0)) }
        if let o = try BasketWalk.find(
            legs, payout: FixedPoint.micros, minEdge: minEdge, settings: settings, host: host,
            what: "tree: parent NO + children YES")
        {
            _ = emit(o)
        }
    }

    func ladder(_ members: [Member], minEdge: MicroDollars, emit: (Opportunity) -> Bool) throws {
        let ranked = members.sorted { $0.role < $1.role }
        // The earlier rank with the cheapest NO ask so far (NO on the more specific event).
        var cheapest: (member: Member, ask: MicroDollars)?
        for j in ranked.indices {
            let later = ranked[j]
            if let (earlier, _) = cheapest, earlier.role < later.role {
                let legs = [
                    BasketLeg(member: later, side: groupYes(later)),
                    BasketLeg(member: earlier, side: groupYes(earlier).opposite),
                ]
                if let o = try BasketWalk.find(
                    legs, payout: FixedPoint.micros, minEdge: minEdge, settings: settings, host: host,
                    what: "ladder: later YES + earlier NO")
                {
                    if !emit(o) { return }
                }
            }
            if let ask = later.quote?.bestAsk(groupYes(later).opposite), ask.price < (cheapest?.ask ?? .max) {
                cheapest = (later, ask.price)
            }
        }
    }
}
