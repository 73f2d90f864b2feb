import PluginKit

/// The library's one exported symbol.
@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.venue(
        SimVenue.self,
        PluginMetadata(id: "venue.sim", name: "Simulated venue (arb-sim/1)", version: "1.0.0", vendor: "arb"))
}
