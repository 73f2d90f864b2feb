import CArbPluginAPI

/// Calls a plugin type directly, without dlopen, for hosts that link a plugin statically
/// (benchmarks comparing the ABI path with a direct call, or a single-binary build).
///
/// The pointers are the same C tables the ABI would pass: an `arb_host`, an `arb_config`
/// (valid only during `makeLane`) and an `arb_group` (valid only during `evaluate`).
public enum StaticEmbedding {
    public static func makeLane<P: LanePlugin>(
        _ type: P.Type, host: UnsafeRawPointer, config: UnsafeRawPointer
    ) throws -> P {
        try P(
            host: HostServices(unsafeTable: host),
            config: ConfigReader(config.assumingMemoryBound(to: arb_config.self)))
    }

    /// Evaluates `group` on `lane`, collecting what it emits.
    public static func evaluate(_ lane: some LanePlugin, group: UnsafeRawPointer) throws -> [Opportunity] {
        var found: [Opportunity] = []
        try lane.evaluate(Group(group.assumingMemoryBound(to: arb_group.self))) {
            found.append($0); return true
        }
        return found
    }
}
