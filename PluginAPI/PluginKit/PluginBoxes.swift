import CArbPluginAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The C vtables for each plugin kind. Each slot recovers the instance's box from the opaque
// instance pointer and calls the Swift plugin through its protocol. The tables are allocated
// once and never freed: the ABI requires them to outlive every instance.

/// A lane instance. The C thunk makes one class-virtual call into `LaneBoxOf<P>`, where the
/// plugin's `evaluate` is statically dispatched and specialized (no existential on the hot path).
class LaneBox {
    let kindsMask: UInt32

    init(kindsMask: UInt32) { self.kindsMask = kindsMask }

    func evaluate(_ group: UnsafePointer<arb_group>, _ sink: UnsafePointer<arb_opportunity_sink>) throws {
        preconditionFailure("LaneBox is abstract")
    }

    func record(_ outcome: LaneOutcome) {}
}

final class LaneBoxOf<P: LanePlugin>: LaneBox {
    let plugin: P

    init(_ plugin: P) {
        self.plugin = plugin
        super.init(kindsMask: P.groupKinds.reduce(0) { $0 | (1 << $1.rawValue) })
    }

    override func evaluate(_ group: UnsafePointer<arb_group>, _ sink: UnsafePointer<arb_opportunity_sink>) throws {
        try plugin.evaluate(Group(group)) { opportunity in
            opportunity.withCOpportunity { sink.pointee.emit(sink.pointee.ctx, $0) } == ARB_OK
        }
    }

    override func record(_ outcome: LaneOutcome) { plugin.record(outcome) }
}

final class SizingBox {
    let plugin: any SizingStepPlugin
    init(_ plugin: any SizingStepPlugin) { self.plugin = plugin }
}

final class VenueBox {
    let plugin: any VenuePlugin
    let venueID: String
    /// `venue_id` returns a C string that must outlive the call.
    let venueIDC: UnsafeMutablePointer<CChar>

    init(_ plugin: any VenuePlugin) {
        self.plugin = plugin
        self.venueID = plugin.venueID
        self.venueIDC = strdup(plugin.venueID)
    }

    deinit { free(venueIDC) }
}

/// The plugin's box behind a C instance pointer, borrowed for `body`: the host keeps the
/// instance alive for every call, so no call retains or releases it (a venue gets one call per
/// stream frame, a lane one per group; the pair was 2.6% of a replay's perf samples).
@inline(__always)
private func withBox<T: AnyObject, R>(
    _ instance: UnsafeMutableRawPointer?, as: T.Type, _ body: (T) throws -> R
) rethrows -> R {
    try Unmanaged<T>.fromOpaque(instance!)._withUnsafeGuaranteedRef(body)
}

// nonisolated(unsafe): written once by the lazy initializer, read-only afterwards.
nonisolated(unsafe) let laneVTable: UnsafeRawPointer = {
    let table = UnsafeMutablePointer<arb_lane_v1>.allocate(capacity: 1)
    table.initialize(
        to: arb_lane_v1(
            struct_size: UInt32(MemoryLayout<arb_lane_v1>.size), reserved0: 0,
            group_kinds: { instance in withBox(instance, as: LaneBox.self) { $0.kindsMask } },
            evaluate: { instance, group, sink, error in
                guard let instance, let group, let sink else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                return withBox(instance, as: LaneBox.self) { box in guarded(error) { try box.evaluate(group, sink) } }
            },
            record_outcome: { instance, outcome in
                guard let instance, let outcome, let kind = LaneOutcome.Kind(rawValue: outcome.pointee.kind) else {
                    return
                }
                let o = outcome.pointee
                let lane = LaneOutcome(
                    kind: kind, groupID: o.group_id.string, opportunityID: o.opportunity_id.string, pnl: o.pnl_micros,
                    time: o.time_ns)
                withBox(instance, as: LaneBox.self) { $0.record(lane) }
            }))
    return UnsafeRawPointer(table)
}()

// nonisolated(unsafe): written once by the lazy initializer, read-only afterwards.
nonisolated(unsafe) let sizingVTable: UnsafeRawPointer = {
    let table = UnsafeMutablePointer<arb_sizing_step_v1>.allocate(capacity: 1)
    table.initialize(
        to: arb_sizing_step_v1(
            struct_size: UInt32(MemoryLayout<arb_sizing_step_v1>.size), reserved0: 0,
            size: { instance, context, opportunity, decision, reason, metrics in
                guard let instance, let context, let opportunity, let decision else {
                    return Int32(ARB_ERR_INVALID_ARGUMENT)
                }
                let step = withBox(instance, as: SizingBox.self) { $0.plugin }
                return guarded(reason) {
                    let current = decision.pointee.baskets_centi
                    let answer = try step.size(
                        Opportunity(unsafeCOpportunity: opportunity), baskets: current, context: SizingContext(context))
                    switch answer.verdict {
                    case .keep:
                        decision.pointee.verdict = UInt32(ARB_SIZE_KEEP)
                    case .resize(let baskets) where baskets < current:
                        decision.pointee.verdict = UInt32(ARB_SIZE_RESIZE)
                        decision.pointee.baskets_centi = max(0, baskets)
                    case .resize:
                        decision.pointee.verdict = UInt32(ARB_SIZE_KEEP)
                    case .reject:
                        decision.pointee.verdict = UInt32(ARB_SIZE_REJECT)
                    }
                    write(answer.reason, to: reason)
                    if let metrics, let writeMetric = metrics.pointee.write {
                        for metric in answer.metrics {
                            withArbStr(metric.name) { name in
                                var m = arb_metric(name: name, value: metric.value)
                                writeMetric(metrics.pointee.ctx, &m)
                            }
                        }
                    }
                }
            }))
    return UnsafeRawPointer(table)
}()

// nonisolated(unsafe): written once by the lazy initializer, read-only afterwards.
nonisolated(unsafe) let venueVTable: UnsafeRawPointer = {
    typealias Sink = UnsafePointer<arb_venue_sink>
    /// Runs a venue call with its Swift sink; errors go to `error` as status + message.
    func call(
        _ instance: UnsafeMutableRawPointer?, _ sink: Sink?, _ error: UnsafePointer<arb_text_sink>?,
        _ body: (any VenuePlugin, VenueSink) throws -> Void
    ) -> arb_status {
        guard let instance, let sink else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
        return withBox(instance, as: VenueBox.self) { venue in
            guarded(error) { try body(venue.plugin, VenueSink(sink, venueID: venue.venueID)) }
        }
    }
    let table = UnsafeMutablePointer<arb_venue_v1>.allocate(capacity: 1)
    table.initialize(
        to: arb_venue_v1(
            struct_size: UInt32(MemoryLayout<arb_venue_v1>.size), reserved0: 0,
            venue_id: { instance in withBox(instance, as: VenueBox.self) { UnsafePointer($0.venueIDC) } },
            rules: { instance, out in
                guard let instance, let out else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let r = withBox(instance, as: VenueBox.self) { $0.plugin.rules }
                out.pointee.flags = r.buyOnly ? UInt32(ARB_MARKET_BUY_ONLY) : 0
                out.pointee.min_order_centi = r.minimumOrder
                out.pointee.quantity_step_centi = r.quantityStep
                out.pointee.max_open_orders = r.maxOpenOrders
                return Int32(ARB_OK)
            },
            fee: { instance, query, out in
                guard let instance, let query, let out else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let q = query.pointee
                let swiftQuery = FeeQuery(
                    liquidity: Liquidity(rawValue: q.liquidity) ?? .taker, venue: q.venue.string,
                    marketID: q.market_id.string, side: Side(rawValue: q.side) ?? .yes,
                    action: Action(rawValue: q.action) ?? .buy, price: q.price_micros, quantity: q.quantity_centi,
                    feeMultiplier: q.fee_multiplier_ppm, feeSchedule: FeeSchedule(rawValue: q.fee_schedule))
                return guarded(nil) {
                    let r = try withBox(instance, as: VenueBox.self) { try $0.plugin.fee(swiftQuery) }
                    out.pointee.fee_micros = r.fee
                    out.pointee.delivered_centi = r.delivered
                }
            },
            start_discovery: { instance, sink in call(instance, sink, nil) { try $0.startDiscovery($1) } },
            request_book: { instance, market, sink in
                call(instance, sink, nil) { try $0.requestBook(marketID: market.string, $1) }
            },
            on_response: { instance, response, sink, error in
                guard let response else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let r = response.pointee
                let swiftResponse = HTTPResponse(
                    status: r.status, headers: headers(r.headers, r.header_count),
                    body: r.body.map { Array(UnsafeBufferPointer(start: $0, count: r.body_len)) } ?? [],
                    receiveTime: r.receive_time_ns, tag: r.tag)
                return call(instance, sink, error) { try $0.handle(swiftResponse, $1) }
            },
            open_stream: { instance, markets, count, sink in
                let ids = markets.map { base in (0..<Int(count)).map { base[$0].string } } ?? []
                return call(instance, sink, nil) { try $0.openStream(marketIDs: ids, $1) }
            },
            on_stream_frame: { instance, frame, len, receivedAt, sink, error in
                let bytes = UnsafeBufferPointer(start: len > 0 ? frame : nil, count: len)
                return call(instance, sink, error) { try $0.handleStreamFrame(bytes, receivedAt: receivedAt, $1) }
            },
            place_order: { instance, intent, sink in
                guard let intent else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let i = intent.pointee
                let order = OrderIntent(
                    side: Side(rawValue: i.side) ?? .yes, action: Action(rawValue: i.action) ?? .buy,
                    timeInForce: TimeInForce(rawValue: i.time_in_force) ?? .goodTillCanceled,
                    marketID: i.market_id.string, clientOrderID: i.client_order_id.string,
                    limitPrice: i.limit_price_micros, quantity: i.quantity_centi, expires: i.expires_ns)
                return call(instance, sink, nil) { try $0.place(order, $1) }
            },
            cancel_order: { instance, market, order, sink in
                call(instance, sink, nil) { try $0.cancel(marketID: market.string, venueOrderID: order.string, $1) }
            },
            query_order: { instance, client, venueOrder, sink in
                call(instance, sink, nil) {
                    try $0.queryOrder(clientOrderID: client.string, venueOrderID: venueOrder.string, $1)
                }
            },
            request_account: { instance, sink in call(instance, sink, nil) { try $0.requestAccount($1) } },
            on_timer: { instance, now, sink in call(instance, sink, nil) { try $0.timer(now: now, $1) } },
            refresh_request: { instance, tag, sink in
                call(instance, sink, nil) { try $0.refreshRequest(tag: tag, $1) }
            }))
    return UnsafeRawPointer(table)
}()

private func headers(_ base: UnsafePointer<arb_header>?, _ count: UInt32) -> [HTTPHeader] {
    guard let base else { return [] }
    return (0..<Int(count)).map { HTTPHeader(base[$0].name.string, base[$0].value.string) }
}
