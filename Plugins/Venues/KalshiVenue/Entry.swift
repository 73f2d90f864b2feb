import PluginKit

/// The library's one exported symbol.
@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.venue(
        KalshiVenue.self,
        PluginMetadata(id: "venue.kalshi", name: "Kalshi (Trade API v2)", version: "0.9.0", vendor: "arb"))
}
