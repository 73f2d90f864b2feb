/// The running plugins at one moment, in chain order. Immutable: a manifest change builds a new
/// pipeline beside this one and the engine switches between cycles. Instances unchanged by the
/// edit are shared between the two.
public final class Pipeline: Sendable {
    /// Increases by one with every switch.
    public let generation: Int
    public let venues: [PluginInstance]
    /// Lanes in ascending `order` (then id).
    public let lanes: [PluginInstance]
    /// Sizing steps of arm A (the live arm): steps without an arm plus those with `arm = "A"`.
    public let sizingA: [PluginInstance]
    /// Sizing steps of arm B (the shadow arm), or empty when no manifest names arm B.
    public let sizingB: [PluginInstance]

    init(generation: Int, instances: [PluginInstance]) {
        self.generation = generation
        let sorted = instances.sorted { ($0.manifest.order, $0.manifest.id) < ($1.manifest.order, $1.manifest.id) }
        venues = sorted.filter { $0.manifest.kind == .venue }
        lanes = sorted.filter { $0.manifest.kind == .lane }
        let steps = sorted.filter { $0.manifest.kind == .sizing }
        sizingA = steps.filter { $0.manifest.arm != "B" }
        let hasB = steps.contains { $0.manifest.arm == "B" }
        sizingB = hasB ? steps.filter { $0.manifest.arm != "A" } : []
    }

    public var instances: [PluginInstance] { venues + lanes + (sizingA + sizingB.filter { $0.manifest.arm == "B" }) }

    public func instance(id: String) -> PluginInstance? { instances.first { $0.manifest.id == id } }
}
