import PluginKit

/// The library's one exported symbol.
@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.venue(
        PolymarketVenue.self,
        PluginMetadata(
            id: "venue.polymarket", name: "Polymarket (Gamma + CLOB V2 market data)", version: "0.1.0", vendor: "arb"))
}
