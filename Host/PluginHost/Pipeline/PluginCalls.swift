import CArbPluginAPI
import PluginKit

/// A failed call into a plugin: its status code and message.
public struct PluginCallError: Error, CustomStringConvertible, Sendable {
    public var pluginID: String
    public var status: Int32
    public var message: String
    public var description: String { "\(pluginID): status \(status): \(message)" }
}

/// A basket a lane reported, copied into host memory.
public struct FoundOpportunity: Sendable, Hashable {
    public var laneID: String
    public var legs: [Leg]
    public var payout: MicroDollars
    public var cost: MicroDollars
    public var edge: MicroDollars
    public var maxBaskets: CentiContracts
    /// Latest resolution among the legs (0 = unknown), as the lane reported it.
    public var resolutionTime: Nanoseconds
    public var flags: UInt32
    public var note: String

    public var isDataQualityAlarm: Bool { flags & UInt32(ARB_OPP_DATA_QUALITY_ALARM) != 0 }

    init(laneID: String, _ o: UnsafePointer<arb_opportunity>) {
        self.laneID = laneID
        let c = o.pointee
        legs = (0..<Int(c.leg_count)).map { i in
            let l = c.legs[i]
            return Leg(
                memberIndex: l.member_index, side: Side(rawValue: l.side) ?? .yes,
                action: Action(rawValue: l.action) ?? .buy, limitPrice: l.limit_price_micros, ratio: l.ratio_centi,
                fee: l.fee_micros, liquidity: Liquidity(rawValue: l.liquidity) ?? .taker)
        }
        payout = c.payout_micros
        cost = c.cost_micros
        edge = c.edge_micros
        maxBaskets = c.max_baskets_centi
        resolutionTime = c.resolution_time_ns
        flags = c.flags
        note = c.note.string
    }

    /// Calls `body` with a C view of this opportunity (for sizing steps).
    func withCOpportunity<R>(_ body: (UnsafePointer<arb_opportunity>) -> R) -> R {
        let cLegs = legs.map {
            arb_leg(
                struct_size: UInt32(MemoryLayout<arb_leg>.size), member_index: $0.memberIndex, side: $0.side.rawValue,
                action: $0.action.rawValue, limit_price_micros: $0.limitPrice, ratio_centi: $0.ratio,
                fee_micros: $0.fee, liquidity: $0.liquidity.rawValue, reserved0: 0)
        }
        return cLegs.withUnsafeBufferPointer { legs in
            var note = note
            return note.withUTF8 { noteBytes in
                noteBytes.withMemoryRebound(to: CChar.self) { noteChars in
                    var c = arb_opportunity(
                        struct_size: UInt32(MemoryLayout<arb_opportunity>.size), flags: flags,
                        leg_count: UInt32(legs.count), reserved0: 0, legs: legs.baseAddress, payout_micros: payout,
                        cost_micros: cost, edge_micros: edge, max_baskets_centi: maxBaskets,
                        resolution_time_ns: resolutionTime,
                        note: arb_str(data: noteChars.baseAddress, len: noteChars.count))
                    return withUnsafePointer(to: &c) { body($0) }
                }
            }
        }
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
