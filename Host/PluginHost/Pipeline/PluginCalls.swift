import CArbPluginAPI
import PluginKit

/// A failed call into a plugin: its status code and message.
public struct PluginCallError: Error, CustomStringConvertible, Sendable {
    public var pluginID: String
    public var status: Int32
    public var message: String
    public var description: String { "\(pluginID): status \(status): \(message)" }
}

/// A basket a lane reported, copied into host memory, with the lane that found it.
/// The C conversions are PluginKit's, the same code a Swift plugin uses.
public struct FoundOpportunity: Sendable, Hashable {
    public var laneID: String
    public var opportunity: Opportunity

    public var legs: [Leg] {
        get { opportunity.legs }
        set { opportunity.legs = newValue }
    }
    public var payout: MicroDollars {
        get { opportunity.payout }
        set { opportunity.payout = newValue }
    }
    public var cost: MicroDollars {
        get { opportunity.cost }
        set { opportunity.cost = newValue }
    }
    /// Worst-case profit per basket, derived as payout − cost (setting it moves the cost).
    public var edge: MicroDollars {
        get { opportunity.edge }
        set { opportunity.cost = opportunity.payout - newValue }
    }
    public var maxBaskets: CentiContracts {
        get { opportunity.maxBaskets }
        set { opportunity.maxBaskets = newValue }
    }
    /// Latest resolution among the legs (0 = unknown), as the lane reported it.
    public var resolutionTime: Nanoseconds {
        get { opportunity.resolutionTime }
        set { opportunity.resolutionTime = newValue }
    }
    public var note: String { opportunity.note }
    public var isDataQualityAlarm: Bool { opportunity.isDataQualityAlarm }

    init(laneID: String, _ o: UnsafePointer<arb_opportunity>) {
        self.laneID = laneID
        opportunity = Opportunity(unsafeCOpportunity: o)
    }

    /// Calls `body` with a C view of this opportunity (for sizing steps).
    func withCOpportunity<R>(_ body: (UnsafePointer<arb_opportunity>) -> R) -> R {
        opportunity.withCOpportunity(body)
    }
}

/// Reusable space for one lane instance's calls: what it emits and its error text.
///
/// The mutable state sits behind a pointer rather than in `var` properties: class properties
/// pay a dynamic exclusivity check (a thread-local lookup) on every access, which cost more
/// than the plugin call itself on this hot path. Engine thread only, like the calls it serves.
final class LaneCallScratch {
    struct State {
        var found: [FoundOpportunity] = []
        var message: [UInt8] = []
    }

    let laneID: String
    let state: UnsafeMutablePointer<State>
    let errorSink: UnsafeMutablePointer<arb_text_sink>
    let opportunitySink: UnsafeMutablePointer<arb_opportunity_sink>

    init(laneID: String) {
        self.laneID = laneID
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        errorSink = .allocate(capacity: 1)
        opportunitySink = .allocate(capacity: 1)
        let ctx = Unmanaged.passUnretained(self).toOpaque()
        errorSink.initialize(
            to: arb_text_sink(
                ctx: ctx,
                write: { ctx, text, len in
                    guard let ctx, let text, len > 0 else { return }
                    let scratch = Unmanaged<LaneCallScratch>.fromOpaque(ctx).takeUnretainedValue()
                    text.withMemoryRebound(to: UInt8.self, capacity: len) {
                        scratch.state.pointee.message.append(contentsOf: UnsafeBufferPointer(start: $0, count: len))
                    }
                }))
        opportunitySink.initialize(
            to: arb_opportunity_sink(
                ctx: ctx,
                emit: { ctx, opportunity in
                    guard let ctx, let opportunity else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                    let scratch = Unmanaged<LaneCallScratch>.fromOpaque(ctx).takeUnretainedValue()
                    scratch.state.pointee.found.append(FoundOpportunity(laneID: scratch.laneID, opportunity))
                    return Int32(ARB_OK)
                }))
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
        errorSink.deallocate()
        opportunitySink.deallocate()
    }

    /// Hands out what the last call found and clears the space for the next one.
    static func take(_ state: UnsafeMutablePointer<State>) -> [FoundOpportunity] {
        guard !state.pointee.found.isEmpty else { return [] }
        defer { state.pointee.found = [] }
        return state.pointee.found
    }

    func takeMessage() -> String {
        defer { state.pointee.message.removeAll(keepingCapacity: true) }
        return String(decoding: state.pointee.message, as: UTF8.self)
    }
}

extension PluginInstance {
    /// Runs a lane on one group; the snapshot is kept alive for the whole call. Engine thread.
    public func evaluate(_ snapshot: GroupSnapshot) throws(PluginCallError) -> [FoundOpportunity] {
        try withExtendedLifetime(snapshot) { () throws(PluginCallError) in try evaluate(UnsafePointer(snapshot.group)) }
    }

    /// Runs a lane on a group the caller keeps alive for the call. Engine thread.
    func evaluate(_ group: UnsafePointer<arb_group>) throws(PluginCallError) -> [FoundOpportunity] {
        // The scratch space is reused: engine-thread calls never overlap on one instance (ABI contract).
        let status = laneTable.pointee.evaluate(handle, group, laneOpportunitySink, laneErrorSink)
        guard status == ARB_OK else {
            _ = LaneCallScratch.take(laneState)
            throw PluginCallError(pluginID: manifest.id, status: status, message: laneScratch.takeMessage())
        }
        return LaneCallScratch.take(laneState)
    }

    /// One sizing step's outcome for the plan's trace.
    public struct StepOutcome: Sendable {
        public var stepID: String
        public var verdict: UInt32
        public var baskets: CentiContracts
        public var reason: String
        public var metrics: [(name: String, value: Int64)]

        public var isRejected: Bool { verdict == UInt32(ARB_SIZE_REJECT) }
        public var verdictName: String {
            switch Int(verdict) {
            case Int(ARB_SIZE_KEEP): "keep"
            case Int(ARB_SIZE_RESIZE): "resize"
            default: "reject"
            }
        }
    }

    /// Runs a sizing step. Engine thread.
    public func size(
        _ opportunity: FoundOpportunity, baskets: CentiContracts, context: UnsafePointer<arb_sizing_context>
    ) throws(PluginCallError) -> StepOutcome {
        final class Metrics { var items: [(name: String, value: Int64)] = [] }
        let metrics = Metrics()
        let reason = TextBuffer()
        var decision = arb_sizing_decision(
            struct_size: UInt32(MemoryLayout<arb_sizing_decision>.size), verdict: UInt32(ARB_SIZE_KEEP),
            baskets_centi: baskets)
        var metricSink = arb_metric_sink(
            ctx: Unmanaged.passUnretained(metrics).toOpaque(),
            write: { ctx, metric in
                guard let ctx, let metric else { return }
                Unmanaged<Metrics>.fromOpaque(ctx).takeUnretainedValue().items.append(
                    (metric.pointee.name.string, metric.pointee.value))
            })
        let status = opportunity.withCOpportunity { opp in
            reason.withSink { reasonSink in
                sizingTable.pointee.size(handle, context, opp, &decision, reasonSink, &metricSink)
            }
        }
        guard status == ARB_OK else {
            throw PluginCallError(pluginID: manifest.id, status: status, message: reason.string)
        }
        // A step may only keep, shrink or reject (ABI contract); a larger size is treated as keep.
        let newSize =
            decision.verdict == UInt32(ARB_SIZE_RESIZE) ? min(baskets, max(0, decision.baskets_centi)) : baskets
        return StepOutcome(
            stepID: manifest.id, verdict: decision.verdict,
            baskets: decision.verdict == UInt32(ARB_SIZE_REJECT) ? 0 : newSize,
            reason: reason.string, metrics: metrics.items)
    }
}

extension PluginInstance {
    /// Tells a lane how one of its baskets ended (ABI 1.2). A lane built against 1.0 or 1.1 has no
    /// such slot: its table is shorter, so the slot is only read when `struct_size` covers it.
    /// Returns false when the lane does not take outcomes. Engine thread.
    @discardableResult
    public func record(_ outcome: LaneOutcome) -> Bool {
        let table = laneTable
        let end = MemoryLayout<arb_lane_v1>.offset(of: \.record_outcome)! + MemoryLayout<UnsafeRawPointer>.size
        guard Int(table.pointee.struct_size) >= end, let slot = table.pointee.record_outcome else { return false }
        return withArbStrings(outcome.groupID, outcome.opportunityID) { group, id in
            var c = arb_lane_outcome(
                struct_size: UInt32(MemoryLayout<arb_lane_outcome>.size), kind: outcome.kind.rawValue, group_id: group,
                opportunity_id: id, pnl_micros: outcome.pnl, time_ns: outcome.time)
            slot(handle, &c)
            return true
        }
    }
}

/// Two borrowed `arb_str`s for the duration of `body`.
func withArbStrings<R>(_ a: String, _ b: String, _ body: (arb_str, arb_str) -> R) -> R {
    var a = a
    var b = b
    return a.withUTF8 { ua in
        b.withUTF8 { ub in
            ua.withMemoryRebound(to: CChar.self) { ca in
                ub.withMemoryRebound(to: CChar.self) { cb in
                    body(arb_str(data: ca.baseAddress, len: ca.count), arb_str(data: cb.baseAddress, len: cb.count))
                }
            }
        }
    }
}
