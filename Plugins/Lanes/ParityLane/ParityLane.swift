import LaneSupport
import PluginKit

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.lane(
        ParityLane.self,
        PluginMetadata(id: "lane.parity", name: "Parity / complement lane", version: "1.0.0", vendor: "arb"))
}

/// Lane (d): two markets a rule declares equivalent (same YES) or complementary (A's YES is
/// B's NO), on one venue or two. After the rule's polarity is applied both reduce to one
/// shape: group-YES on one member plus group-NO on the other pays exactly $1 (quant.md §1.4).
/// For a complement that is YES_A + YES_B and NO_A + NO_B.
public final class ParityLane: LanePlugin {
    public static let groupKinds: Set<GroupKind> = [.parity]

    let host: HostServices
    let settings: LaneSettings

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        settings = try LaneSettings(config)
    }

    public func evaluate(_ group: Group, emit: (Opportunity) -> Bool) throws {
        guard group.members.count == 2, settings.admits(group) else { return }
        for o in try EquivalentPair.baskets(
            group.members[0], group.members[1], settings: settings, now: group.now, host: host, what: "parity")
        where !emit(o) {
            return
        }
    }
}
