import CArbPluginAPI
import PluginKit

/// What a venue plugin reported during one call, copied into host memory.
public enum VenueEvent: Sendable, Equatable {
    case market(MarketRecord)
    case book(BookUpdate)
    case request(HTTPRequest)
    case streamOpen(url: String, headers: [HTTPHeader])
    case streamSend(String)
    case gap(marketID: String, reason: String)
    case order(OrderReport)
    case fill(Fill)
    case balance(cash: MicroDollars, portfolioValue: MicroDollars)
    case position(
        marketID: String, contracts: CentiContracts, cost: MicroDollars, realizedPnL: MicroDollars, fees: MicroDollars)
    /// The venue's own word on a bucket (from response headers): tokens left, and when it refills.
    case rateLimit(bucket: String, remaining: Int64, reset: Nanoseconds)
}

/// Drives one venue plugin: calls its sans-IO slots and collects what it emits. Engine thread.
public final class VenueSession {
    public let instance: PluginInstance
    public let venueID: String
    private var events: [VenueEvent] = []
    private let errorText = TextBuffer()

    public init(instance: PluginInstance) {
        self.instance = instance
        venueID = instance.venueID ?? instance.manifest.id
    }

    public func startDiscovery() throws(PluginCallError) -> [VenueEvent] {
        try call { instance.venueTable.pointee.start_discovery(instance.handle, $0) }
    }

    public func requestBook(marketID: String) throws(PluginCallError) -> [VenueEvent] {
        var id = marketID
        return try call { sink in
            id.withUTF8 { b in
                b.withMemoryRebound(to: CChar.self) {
                    instance.venueTable.pointee.request_book(
                        instance.handle, arb_str(data: $0.baseAddress, len: $0.count), sink)
                }
            }
        }
    }

    public func handle(_ response: HTTPResponse) throws(PluginCallError) -> [VenueEvent] {
        try call(withError: true) { sink, error in
            response.body.withUnsafeBufferPointer { body in
                var c = arb_http_response(
                    struct_size: UInt32(MemoryLayout<arb_http_response>.size), status: response.status, headers: nil,
                    header_count: 0, reserved0: 0, body: body.baseAddress, body_len: body.count,
                    receive_time_ns: response.receiveTime, tag: response.tag)
                return instance.venueTable.pointee.on_response(instance.handle, &c, sink, error)
            }
        }
    }

    /// Emits the request that places `intent` (borrowed for the call).
    public func place(_ intent: UnsafePointer<arb_order_intent>) throws(PluginCallError) -> [VenueEvent] {
        try call { instance.venueTable.pointee.place_order(instance.handle, intent, $0) }
    }

    /// Asks the plugin to sign the request `tag` again (ABI 1.3); empty when the plugin has no
    /// such slot or keeps the request as it is.
    public func refreshRequest(tag: UInt64) throws(PluginCallError) -> [VenueEvent] {
        let table = instance.venueTable
        let end = MemoryLayout<arb_venue_v1>.offset(of: \.refresh_request)! + MemoryLayout<UnsafeRawPointer>.size
        guard Int(table.pointee.struct_size) >= end, let slot = table.pointee.refresh_request else { return [] }
        return try call { slot(instance.handle, tag, $0) }
    }

    /// The plugin's periodic work at `now` (a heartbeat to send, say).
    public func timer(now: Nanoseconds) throws(PluginCallError) -> [VenueEvent] {
        try call { instance.venueTable.pointee.on_timer(instance.handle, now, $0) }
    }

    /// Emits the balance/position/fill requests of a reconciliation.
    public func requestAccount() throws(PluginCallError) -> [VenueEvent] {
        try call { instance.venueTable.pointee.request_account(instance.handle, $0) }
    }

    public func cancel(marketID: String, venueOrderID: String) throws(PluginCallError) -> [VenueEvent] {
        try call { sink in
            withTwoStrings(marketID, venueOrderID) {
                instance.venueTable.pointee.cancel_order(instance.handle, $0, $1, sink)
            }
        }
    }

    public func queryOrder(clientOrderID: String, venueOrderID: String) throws(PluginCallError) -> [VenueEvent] {
        try call { sink in
            withTwoStrings(clientOrderID, venueOrderID) {
                instance.venueTable.pointee.query_order(instance.handle, $0, $1, sink)
            }
        }
    }

    /// Calls `body` with two borrowed `arb_str`s.
    private func withTwoStrings<R>(_ a: String, _ b: String, _ body: (arb_str, arb_str) -> R) -> R {
        let first = Array(a.utf8CString)
        let second = Array(b.utf8CString)
        return first.withUnsafeBufferPointer { x in
            second.withUnsafeBufferPointer { y in
                body(arb_str(data: x.baseAddress, len: x.count - 1), arb_str(data: y.baseAddress, len: y.count - 1))
            }
        }
    }

    public func openStream(marketIDs: [String]) throws(PluginCallError) -> [VenueEvent] {
        let owned = marketIDs.map { Array($0.utf8CString) }
        return try call { sink in
            var strs: [arb_str] = []
            func pin(_ i: Int) -> arb_status {
                guard i < owned.count else {
                    return strs.withUnsafeBufferPointer {
                        instance.venueTable.pointee.open_stream(instance.handle, $0.baseAddress, UInt32($0.count), sink)
                    }
                }
                return owned[i].withUnsafeBufferPointer {
                    strs.append(arb_str(data: $0.baseAddress, len: $0.count - 1))
                    return pin(i + 1)
                }
            }
            return pin(0)
        }
    }

    public func handleFrame(_ frame: [UInt8], receivedAt: Nanoseconds) throws(PluginCallError) -> [VenueEvent] {
        try frame.withUnsafeBufferPointer { (b) throws(PluginCallError) in try handleFrame(b, receivedAt: receivedAt) }
    }

    /// One frame the caller holds elsewhere; the plugin reads it only during the call. Its book
    /// updates go to ``streamBooks`` when that is set; the rest are returned, in order.
    public func handleFrame(_ frame: UnsafeBufferPointer<UInt8>, receivedAt: Nanoseconds) throws(PluginCallError)
        -> [VenueEvent]
    {
        try receiveFrame(frame, receivedAt: receivedAt) ? takeEvents() : []
    }

    /// The same, for the venue driver's hot path: what the frame emitted besides its book updates
    /// stays here, for ``takeEvents()``, and the result says whether there is any. Most frames
    /// emit nothing else, and returning the array retained and released it per frame: atomic
    /// operations, each of which waits for the frame's stores to drain (perf put 1.5-2.5% of a
    /// replay's samples on that one retain).
    func receiveFrame(_ frame: UnsafeBufferPointer<UInt8>, receivedAt: Nanoseconds) throws(PluginCallError) -> Bool {
        frameTime = receivedAt
        defer { frameTime = nil }
        // The closure captures the plugin's table and handle, not `self`: a captured session was
        // retained and released around every frame (1.8% of a replay's perf samples).
        let (table, handle) = (instance.venueTable, instance.handle)
        try invoke(withError: true) { sink, error in
            table.pointee.on_stream_frame(handle, frame.baseAddress, frame.count, receivedAt, sink, error)
        }
        return !events.isEmpty
    }

    /// The events the last call emitted, handed over (the session keeps none of them).
    func takeEvents() -> [VenueEvent] {
        var taken: [VenueEvent] = []
        swap(&taken, &events)
        return taken
    }

    /// Where a stream frame's book updates go, with the frame's receive time, as the plugin
    /// reports them, while no other event of the call comes before them (else they are returned
    /// in order with the rest). A delta per frame then never becomes a ``VenueEvent`` in an array
    /// the caller walks again. Set once (the venue driver sets it for its sessions: a closure
    /// made per frame would be allocated per frame). It runs inside the plugin's call, so it
    /// must not call this plugin.
    public var streamBooks: ((BookUpdate, Nanoseconds) -> Void)?

    /// Where a stream frame's one changed bid level goes instead of ``streamBooks``, under the
    /// same conditions, read in place: no ``BookUpdate`` is filled for it. Unset, it goes to
    /// ``streamBooks`` as any other update. Not retained: whoever sets it keeps it alive while it
    /// is set. (A closure here, as ``streamBooks`` is, retained and released its context once per
    /// frame: an atomic pair on the hottest path.)
    var streamBids: Unmanaged<BidChangeReceiver>?

    /// The receive time of the frame the plugin is handling; nil outside ``handleFrame(_:receivedAt:)``.
    private var frameTime: Nanoseconds?

    /// Hands the plugin's update to ``streamBids`` (one changed bid level, read in place) or to
    /// ``streamBooks`` when it comes from a frame and nothing the plugin reported earlier in this
    /// call waits (so the order of events is kept); else queues it.
    private func report(_ c: arb_book_update) {
        if events.isEmpty, let frameTime, let streamBids, let change = BidChange(c) {
            streamBids._withUnsafeGuaranteedRef { $0.receive(change, at: frameTime) }
            return
        }
        // Copied into one update kept between calls, taken out for the call by a swap (not a
        // copy of its five references): its ladders keep their storage, so a delta per frame
        // allocates nothing here. A queued copy gets storage of its own when this one is next written.
        var update = BookUpdate(kind: .delta, marketID: "")
        swap(&update, &scratch)
        defer { swap(&update, &scratch) }
        update.kind = c.kind == UInt32(ARB_BOOK_DELTA) ? .delta : .snapshot
        update.marketID = c.market_id.string
        Self.copy(c.yes_bids, c.yes_bid_count, into: &update.yesBids)
        Self.copy(c.yes_asks, c.yes_ask_count, into: &update.yesAsks)
        Self.copy(c.no_bids, c.no_bid_count, into: &update.noBids)
        Self.copy(c.no_asks, c.no_ask_count, into: &update.noAsks)
        update.venueTime = c.venue_time_ns
        update.receiveTime = c.receive_time_ns
        update.venueSequence = c.venue_sequence
        update.streamID = c.stream_id
        if events.isEmpty, let frameTime, let streamBooks {
            streamBooks(update, frameTime)
        } else {
            events.append(.book(update))
        }
    }

    private var scratch = BookUpdate(kind: .delta, marketID: "")

    private static func copy(_ p: UnsafePointer<arb_level>?, _ n: UInt32, into levels: inout [Level]) {
        if !levels.isEmpty { levels.removeAll(keepingCapacity: true) }
        guard let p, n > 0 else { return }
        levels.reserveCapacity(Int(n))
        for i in 0..<Int(n) { levels.append(Level(price: p[i].price_micros, size: p[i].size_centi)) }
    }

    private func call(_ body: (UnsafePointer<arb_venue_sink>) -> arb_status) throws(PluginCallError) -> [VenueEvent] {
        try call(withError: false) { sink, _ in body(sink) }
    }

    private func call(
        withError: Bool, _ body: (UnsafePointer<arb_venue_sink>, UnsafePointer<arb_text_sink>) -> arb_status
    ) throws(PluginCallError) -> [VenueEvent] {
        try invoke(withError: withError, body)
        return events
    }

    /// Calls the plugin; what it emits is left in ``events``.
    private func invoke(
        withError: Bool, _ body: (UnsafePointer<arb_venue_sink>, UnsafePointer<arb_text_sink>) -> arb_status
    ) throws(PluginCallError) {
        if !events.isEmpty { events.removeAll(keepingCapacity: true) }
        // One buffer per session, cleared per call: a venue call per stream frame must not allocate it.
        let message = errorText
        message.clear()
        var sink = makeSink()
        let status = message.withSink { error in body(&sink, error) }
        guard status == ARB_OK else {
            // What the plugin reported before it failed (a gap for a book it could not get, say)
            // is still true: kept for the caller, who takes it with `takeEventsOfFailedCall`.
            failedEvents = events
            throw PluginCallError(pluginID: instance.manifest.id, status: status, message: message.string)
        }
    }

    private var failedEvents: [VenueEvent] = []

    /// The events the last failed call emitted before it failed; empty after the first read.
    public func takeEventsOfFailedCall() -> [VenueEvent] {
        defer { failedEvents = [] }
        return failedEvents
    }

    private static func session(_ ctx: UnsafeMutableRawPointer?) -> VenueSession {
        Unmanaged<VenueSession>.fromOpaque(ctx!).takeUnretainedValue()
    }

    private func makeSink() -> arb_venue_sink {
        arb_venue_sink(
            struct_size: UInt32(MemoryLayout<arb_venue_sink>.size), reserved0: 0,
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            market: { ctx, m in
                guard let m else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                // Only as many bytes as the plugin's struct has: a 1.2 plugin's ends before
                // pair_price_micros, which then reads as 0 ($1).
                var c = arb_market()
                let n = min(Int(m.pointee.struct_size), MemoryLayout<arb_market>.size)
                withUnsafeMutableBytes(of: &c) { $0.copyMemory(from: UnsafeRawBufferPointer(start: m, count: n)) }
                var record = MarketRecord(
                    venue: c.venue.string, marketID: c.market_id.string, title: c.title.string,
                    closeTime: c.close_time_ns)
                record.resolutionTime = c.resolution_time_ns
                record.pairPrice = c.pair_price_micros > 0 ? c.pair_price_micros : FixedPoint.micros
                record.eventID = c.event_id.string
                record.tick = c.tick_micros
                record.minimumOrder = c.min_order_centi > 0 ? c.min_order_centi : 100
                record.yesToken = c.yes_token.string
                record.noToken = c.no_token.string
                record.feeSchedule = FeeSchedule(rawValue: c.fee_schedule)
                record.feeMultiplier = c.fee_multiplier_ppm
                record.isActive = c.flags & UInt32(ARB_MARKET_ACTIVE) != 0
                VenueSession.session(ctx).events.append(.market(record))
                return Int32(ARB_OK)
            },
            book: { ctx, u in
                guard let u, let ctx else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                // Borrowed, not retained: the session outlives its own call (one update per
                // stream frame comes through here).
                Unmanaged<VenueSession>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.report(u.pointee) }
                return Int32(ARB_OK)
            },
            order: { ctx, r in
                guard let r else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let c = r.pointee
                VenueSession.session(ctx).events.append(
                    .order(
                        OrderReport(
                            state: OrderState(rawValue: c.state) ?? .unknown, marketID: c.market_id.string,
                            clientOrderID: c.client_order_id.string, venueOrderID: c.venue_order_id.string,
                            filled: c.filled_centi, remaining: c.remaining_centi, averagePrice: c.average_price_micros,
                            fees: c.fees_micros, venueTime: c.venue_time_ns, reason: c.reason.string)))
                return Int32(ARB_OK)
            },
            fill: { ctx, f in
                guard let f else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let c = f.pointee
                VenueSession.session(ctx).events.append(
                    .fill(
                        Fill(
                            side: Side(rawValue: c.side) ?? .yes, action: Action(rawValue: c.action) ?? .buy,
                            liquidity: Liquidity(rawValue: c.liquidity) ?? .taker, marketID: c.market_id.string,
                            venueOrderID: c.venue_order_id.string, fillID: c.fill_id.string, price: c.price_micros,
                            quantity: c.quantity_centi, fee: c.fee_micros, venueTime: c.venue_time_ns)))
                return Int32(ARB_OK)
            },
            balance: { ctx, b in
                guard let b else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                VenueSession.session(ctx).events.append(
                    .balance(cash: b.pointee.cash_micros, portfolioValue: b.pointee.portfolio_value_micros))
                return Int32(ARB_OK)
            },
            request: { ctx, r in
                guard let r else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let c = r.pointee
                let request = HTTPRequest(
                    method: HTTPRequest.Method(rawValue: c.method) ?? .get, url: c.url.string,
                    headers: (0..<Int(c.header_count)).map {
                        HTTPHeader(c.headers[$0].name.string, c.headers[$0].value.string)
                    },
                    body: c.body.map { Array(UnsafeBufferPointer(start: $0, count: c.body_len)) } ?? [],
                    rateBucket: c.rate_bucket.string, rateCost: c.rate_cost, tag: c.tag, isIdempotent: c.idempotent != 0
                )
                VenueSession.session(ctx).events.append(.request(request))
                return Int32(ARB_OK)
            },
            stream_open: { ctx, url, headers, count in
                let list = (0..<Int(count)).map { HTTPHeader(headers![$0].name.string, headers![$0].value.string) }
                VenueSession.session(ctx).events.append(.streamOpen(url: url.string, headers: list))
                return Int32(ARB_OK)
            },
            stream_send: { ctx, frame, len in
                let text =
                    frame.map { String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self) } ?? ""
                VenueSession.session(ctx).events.append(.streamSend(text))
                return Int32(ARB_OK)
            },
            gap: { ctx, market, reason in
                VenueSession.session(ctx).events.append(.gap(marketID: market.string, reason: reason.string))
                return Int32(ARB_OK)
            },
            rate_limit: { ctx, bucket, remaining, reset in
                VenueSession.session(ctx).events.append(
                    .rateLimit(bucket: bucket.string, remaining: remaining, reset: reset))
                return Int32(ARB_OK)
            },
            position: { ctx, p in
                guard let p else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                let c = p.pointee
                VenueSession.session(ctx).events.append(
                    .position(
                        marketID: c.market_id.string, contracts: c.position_centi, cost: c.cost_micros,
                        realizedPnL: c.realized_pnl_micros, fees: c.fees_micros))
                return Int32(ARB_OK)
            },
            market_handle: { ctx, id in
                guard let bytes = id.bytes else { return 0 }
                return VenueSession.session(ctx).streamBids?._withUnsafeGuaranteedRef { $0.marketHandle(bytes) } ?? 0
            })
    }
}
