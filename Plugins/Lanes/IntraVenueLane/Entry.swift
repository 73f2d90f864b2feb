import PluginKit

/// The library's one exported symbol.
@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.lane(
        IntraVenueLane.self,
        PluginMetadata(id: "lane.intra_venue", name: "Intra-venue YES+NO lane", version: "1.0.0", vendor: "arb"))
}
