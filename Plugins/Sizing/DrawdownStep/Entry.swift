import PluginKit

/// The library's one exported symbol.
@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        DrawdownStep.self,
        PluginMetadata(
            id: "sizing.drawdown", name: "Drawdown tiers (safe / caution / halt)", version: "1.0.0", vendor: "arb"))
}
