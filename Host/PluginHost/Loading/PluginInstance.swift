import CArbPluginAPI

/// One created plugin instance: its manifest, library, host table and the plugin's handle.
///
/// Destroyed (the plugin's `destroy`) when the last pipeline using it is released, which is
/// how a retired pipeline drains: the engine holds the pipeline for a whole cycle.
public final class PluginInstance: @unchecked Sendable {
    // @unchecked: immutable after init; calls into the plugin follow the ABI's thread contract
    // (engine-thread slots are only called by the engine loop, one cycle at a time).
    public let manifest: Manifest
    public let library: LoadedLibrary
    let context: InstanceContext
    let handle: UnsafeMutableRawPointer
    /// The venue id, for venue plugins.
    public let venueID: String?
    /// Reused by lane calls (engine thread only). The raw pointers into it are cached so a call
    /// touches no reference-counted object.
    let laneScratch: LaneCallScratch
    let laneState: UnsafeMutablePointer<LaneCallScratch.State>
    let laneOpportunitySink: UnsafeMutablePointer<arb_opportunity_sink>
    let laneErrorSink: UnsafeMutablePointer<arb_text_sink>

    /// Creates an instance, handing over the manifest's `[config]`.
    init(manifest: Manifest, library: LoadedLibrary, runtime: HostRuntime) throws(PluginLoadError) {
        self.manifest = manifest
        self.library = library
        let context = InstanceContext(runtime: runtime, pluginID: manifest.id)
        self.context = context
        let descriptor = library.descriptor
        let bridge = ConfigBridge(manifest.config)
        let message = TextBuffer()
        var instance: UnsafeMutableRawPointer?
        let status = bridge.withTable { config in
            message.withSink { error in descriptor.pointee.create(descriptor, context.table, config, &instance, error) }
        }
        guard status == ARB_OK, let instance else {
            let reason = message.string.isEmpty ? "status \(status)" : message.string
            if status == ARB_ERR_CONFIG {
                throw PluginLoadError(
                    .configRejected, manifest: manifest.path,
                    "plugin \(manifest.id) rejected its [config]: \(reason) — fix the [config] table")
            }
            throw PluginLoadError(
                .createFailed, manifest: manifest.path, "plugin \(manifest.id) failed to start: \(reason)")
        }
        handle = instance
        laneScratch = LaneCallScratch(laneID: manifest.id)
        laneState = laneScratch.state
        laneOpportunitySink = laneScratch.opportunitySink
        laneErrorSink = laneScratch.errorSink
        let vtable = descriptor.pointee.vtable!
        // Only the table matching the plugin's kind is ever called; the loader checked its size.
        laneTable = vtable.assumingMemoryBound(to: arb_lane_v1.self)
        sizingTable = vtable.assumingMemoryBound(to: arb_sizing_step_v1.self)
        venueTable = vtable.assumingMemoryBound(to: arb_venue_v1.self)
        laneKindMask = library.kind == .lane ? laneTable.pointee.group_kinds(instance) : 0
        if library.kind == .venue {
            venueID = venueTable.pointee.venue_id(instance).map { String(cString: $0) }
        } else {
            venueID = nil
        }
    }

    deinit { library.descriptor.pointee.destroy(handle) }

    /// This instance's `arb_host` table, for embedding a plugin statically beside it (benchmarks).
    public var hostTable: UnsafeRawPointer { UnsafeRawPointer(context.table) }

    /// The kind-specific function tables, resolved once: reading them through `library` on
    /// every call retained and released its strings (measurable on the lane hot path).
    let laneTable: UnsafePointer<arb_lane_v1>
    /// Lanes: the group kinds it evaluates, as `1 << ARB_GROUP_*` bits (asked once).
    public let laneKindMask: UInt32
    let sizingTable: UnsafePointer<arb_sizing_step_v1>
    let venueTable: UnsafePointer<arb_venue_v1>

    func fee(_ query: UnsafePointer<arb_fee_query>, _ out: UnsafeMutablePointer<arb_fee_result>) -> arb_status {
        venueTable.pointee.fee(handle, query, out)
    }
}
