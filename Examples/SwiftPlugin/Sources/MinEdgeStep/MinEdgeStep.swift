import PluginKit

/// Rejects baskets whose worst-case edge is below `min_edge` dollars per basket.
public final class MinEdgeStep: SizingStepPlugin {
    let minEdge: MicroDollars

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        try config.rejectUnknownKeys(allowed: ["min_edge"])
        guard let edge = try config.fixed("min_edge", scale: FixedPoint.micros), edge >= 0 else {
            throw PluginError.config("min_edge (dollars, e.g. \"0.01\") is required and must be >= 0")
        }
        minEdge = edge
    }

    public func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws
        -> SizingDecision
    {
        let edge = "$" + FixedPoint.format(opportunity.edge, scale: FixedPoint.micros)
        guard opportunity.edge >= minEdge else {
            return SizingDecision(
                .reject, reason: "edge \(edge) below minimum", metrics: [("edge_micros", opportunity.edge)])
        }
        return SizingDecision(.keep, reason: "edge \(edge) ok", metrics: [("edge_micros", opportunity.edge)])
    }
}

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.sizingStep(
        MinEdgeStep.self,
        PluginMetadata(id: "sizing.min_edge", name: "Minimum edge (Swift example)", version: "1.0.0", vendor: "example")
    )
}
