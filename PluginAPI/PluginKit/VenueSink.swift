import CArbPluginAPI

/// Where a venue plugin sends what it parsed or wants done. Valid only during the call that
/// received it; every method copies its argument into the host.
public struct VenueSink {
    let pointer: UnsafePointer<arb_venue_sink>
    let venueID: String

    init(_ pointer: UnsafePointer<arb_venue_sink>, venueID: String) {
        self.pointer = pointer
        self.venueID = venueID
    }

    private var ctx: UnsafeMutableRawPointer? { pointer.pointee.ctx }

    /// `what` is built only for a refusal: a book per stream frame must not format its message.
    private func check(_ status: arb_status, _ what: @autoclosure () -> String) throws {
        guard status == ARB_OK else { throw PluginError(PluginError.Code(rawValue: status), "host refused \(what())") }
    }

    public func market(_ m: MarketInfo) throws {
        var flags: UInt32 = 0
        if m.isActive { flags |= UInt32(ARB_MARKET_ACTIVE) }
        if m.isBuyOnly { flags |= UInt32(ARB_MARKET_BUY_ONLY) }
        if m.isMultivariate { flags |= UInt32(ARB_MARKET_MULTIVARIATE) }
        let status = withArbStr(venueID) { venue in
            withArbStr(m.marketID) { id in
                withArbStr(m.eventID) { event in
                    withArbStr(m.title) { title in
                        withArbStr(m.yesToken) { yes in
                            withArbStr(m.noToken) { no in
                                var c = arb_market(
                                    struct_size: UInt32(MemoryLayout<arb_market>.size), flags: flags, venue: venue,
                                    market_id: id, event_id: event, title: title, close_time_ns: m.closeTime,
                                    resolution_time_ns: m.resolutionTime, tick_micros: m.tick,
                                    min_order_centi: m.minimumOrder, fee_schedule: m.feeSchedule.rawValue,
                                    reserved0: 0, fee_multiplier_ppm: m.feeMultiplier, yes_token: yes, no_token: no,
                                    pair_price_micros: m.pairPrice)
                                return pointer.pointee.market(ctx, &c)
                            }
                        }
                    }
                }
            }
        }
        try check(status, "market \(m.marketID)")
    }

    public func book(_ u: BookUpdate) throws {
        let status = withArbStr(u.marketID) { id in
            withArbLevels(u.yesBids) { yb in
                withArbLevels(u.yesAsks) { ya in
                    withArbLevels(u.noBids) { nb in
                        withArbLevels(u.noAsks) { na in
                            var c = arb_book_update(
                                struct_size: UInt32(MemoryLayout<arb_book_update>.size), kind: u.kind.rawValue,
                                market_id: id, yes_bids: yb.baseAddress, yes_bid_count: UInt32(yb.count),
                                yes_ask_count: UInt32(ya.count), yes_asks: ya.baseAddress, no_bids: nb.baseAddress,
                                no_bid_count: UInt32(nb.count), no_ask_count: UInt32(na.count),
                                no_asks: na.baseAddress, venue_time_ns: u.venueTime, receive_time_ns: u.receiveTime,
                                venue_sequence: u.venueSequence, stream_id: u.streamID, host_market: 0,
                                reserved1: 0)
                            return pointer.pointee.book(ctx, &c)
                        }
                    }
                }
            }
        }
        try check(status, "book \(u.marketID)")
    }

    /// One bid level of a market changed: a delta with `level` (size 0 removes it) on `side`'s
    /// bids, the common stream message of a bids-only venue. The same as ``book(_:)`` with that
    /// update, without building its four arrays for one level.
    public func bidChanged(
        marketID: String, side: Side, level: Level, sequence: UInt64, streamID: UInt64 = 0,
        venueTime: Nanoseconds = 0, receiveTime: Nanoseconds
    ) throws {
        var id = marketID
        try id.withUTF8 {
            try bidChanged(
                marketID: $0, side: side, level: level, sequence: sequence, streamID: streamID,
                venueTime: venueTime, receiveTime: receiveTime)
        }
    }

    /// The same, with the market id's UTF-8 bytes where the plugin found them (in the frame,
    /// say): a plugin that parses in place need not make a String of every frame's id.
    /// `hostMarket` is the market's ``marketHandle(_:)``, or 0: with it the host skips its own
    /// lookup of the id.
    public func bidChanged(
        marketID: UnsafeBufferPointer<UInt8>, side: Side, level: Level, sequence: UInt64, streamID: UInt64 = 0,
        venueTime: Nanoseconds = 0, receiveTime: Nanoseconds, hostMarket: UInt32 = 0
    ) throws {
        var changed = arb_level(price_micros: level.price, size_centi: level.size)
        let status = marketID.withMemoryRebound(to: CChar.self) { chars in
            let id = arb_str(data: chars.baseAddress, len: chars.count)
            return withUnsafePointer(to: &changed) { one in
                var c = arb_book_update(
                    struct_size: UInt32(MemoryLayout<arb_book_update>.size), kind: BookUpdate.Kind.delta.rawValue,
                    market_id: id, yes_bids: side == .yes ? one : nil, yes_bid_count: side == .yes ? 1 : 0,
                    yes_ask_count: 0, yes_asks: nil, no_bids: side == .no ? one : nil,
                    no_bid_count: side == .no ? 1 : 0, no_ask_count: 0, no_asks: nil, venue_time_ns: venueTime,
                    receive_time_ns: receiveTime, venue_sequence: sequence, stream_id: streamID,
                    host_market: hostMarket, reserved1: 0)
                return pointer.pointee.book(ctx, &c)
            }
        }
        try check(status, "book \(String(decoding: marketID, as: UTF8.self))")
    }

    public func request(_ r: HTTPRequest) throws {
        let status = withHeaders(r.headers) { headers, count in
            withArbStr(r.url) { url in
                withArbStr(r.rateBucket) { bucket in
                    r.body.withUnsafeBufferPointer { body in
                        var c = arb_http_request(
                            struct_size: UInt32(MemoryLayout<arb_http_request>.size), method: r.method.rawValue,
                            url: url, headers: headers, header_count: count, reserved0: 0, body: body.baseAddress,
                            body_len: body.count, rate_bucket: bucket, rate_cost: r.rateCost, tag: r.tag,
                            idempotent: r.isIdempotent ? 1 : 0, reserved1: 0)
                        return pointer.pointee.request(ctx, &c)
                    }
                }
            }
        }
        try check(status, "request \(r.url)")
    }

    public func order(_ r: OrderReport) throws {
        let status = withArbStr(r.marketID) { market in
            withArbStr(r.clientOrderID) { client in
                withArbStr(r.venueOrderID) { venue in
                    withArbStr(r.reason) { reason in
                        var c = arb_order_report(
                            struct_size: UInt32(MemoryLayout<arb_order_report>.size), state: r.state.rawValue,
                            market_id: market, client_order_id: client, venue_order_id: venue,
                            filled_centi: r.filled, remaining_centi: r.remaining,
                            average_price_micros: r.averagePrice, fees_micros: r.fees,
                            venue_time_ns: r.venueTime, reason: reason)
                        return pointer.pointee.order(ctx, &c)
                    }
                }
            }
        }
        try check(status, "order report \(r.clientOrderID)")
    }

    public func fill(_ f: Fill) throws {
        let status = withArbStr(f.marketID) { market in
            withArbStr(f.venueOrderID) { order in
                withArbStr(f.fillID) { fillID in
                    var c = arb_fill(
                        struct_size: UInt32(MemoryLayout<arb_fill>.size), side: f.side.rawValue,
                        action: f.action.rawValue, liquidity: f.liquidity.rawValue, market_id: market,
                        venue_order_id: order, fill_id: fillID, price_micros: f.price, quantity_centi: f.quantity,
                        fee_micros: f.fee, venue_time_ns: f.venueTime)
                    return pointer.pointee.fill(ctx, &c)
                }
            }
        }
        try check(status, "fill \(f.fillID)")
    }

    public func balance(cash: MicroDollars, portfolioValue: MicroDollars) throws {
        var c = arb_balance(
            struct_size: UInt32(MemoryLayout<arb_balance>.size), reserved0: 0, cash_micros: cash,
            portfolio_value_micros: portfolioValue)
        try check(pointer.pointee.balance(ctx, &c), "balance")
    }

    public func openStream(url: String, headers: [HTTPHeader]) throws {
        let status = withHeaders(headers) { h, count in
            withArbStr(url) { pointer.pointee.stream_open(ctx, $0, h, count) }
        }
        try check(status, "stream open \(url)")
    }

    public func send(frame: String) throws {
        var frame = frame
        let status = frame.withUTF8 { pointer.pointee.stream_send(ctx, $0.baseAddress, $0.count) }
        try check(status, "stream frame")
    }

    /// Reports a sequence gap or integrity problem: the host resyncs the market.
    public func gap(marketID: String, reason: String) throws {
        let status = withArbStr(marketID) { id in withArbStr(reason) { pointer.pointee.gap(ctx, id, $0) } }
        try check(status, "gap \(marketID)")
    }

    /// Reports one market's net position (+ YES, − NO contracts). ABI 1.1: on a 1.0 host, whose
    /// sink has no such slot, this throws `unsupported` and the host derives positions from fills.
    public func position(
        marketID: String, contracts: CentiContracts, cost: MicroDollars, realizedPnL: MicroDollars, fees: MicroDollars
    ) throws {
        let hasSlot =
            Int(pointer.pointee.struct_size) >= MemoryLayout<arb_venue_sink>.offset(of: \.position)!
            + MemoryLayout<UnsafeRawPointer>.size
        guard hasSlot, let slot = pointer.pointee.position else {
            throw PluginError(.unsupported, "this host (ABI 1.0) takes no positions")
        }
        let status = withArbStr(marketID) { id in
            var c = arb_position(
                struct_size: UInt32(MemoryLayout<arb_position>.size), reserved0: 0, market_id: id,
                position_centi: contracts, cost_micros: cost, realized_pnl_micros: realizedPnL, fees_micros: fees)
            return slot(ctx, &c)
        }
        try check(status, "position \(marketID)")
    }

    /// The host's handle for market `id`, announced earlier with ``market(_:)``, to pass back in
    /// ``bidChanged(marketID:side:level:sequence:streamID:venueTime:receiveTime:hostMarket:)``:
    /// keep it with the market's own record. 0 when the host does not know the market yet (ask
    /// again later) or predates ABI 1.4 (then pass 0: the host looks the id up itself).
    public func marketHandle(_ id: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let hasSlot =
            Int(pointer.pointee.struct_size) >= MemoryLayout<arb_venue_sink>.offset(of: \.market_handle)!
            + MemoryLayout<UnsafeRawPointer>.size
        guard hasSlot, let slot = pointer.pointee.market_handle else { return 0 }
        return id.withMemoryRebound(to: CChar.self) { slot(ctx, arb_str(data: $0.baseAddress, len: $0.count)) }
    }

    public func rateLimit(bucket: String, remaining: Int64, reset: Nanoseconds) throws {
        let status = withArbStr(bucket) { pointer.pointee.rate_limit(ctx, $0, remaining, reset) }
        try check(status, "rate limit")
    }

    private func withHeaders<R>(_ headers: [HTTPHeader], _ body: (UnsafePointer<arb_header>?, UInt32) -> R) -> R {
        // Keep every header's bytes alive while the C array points into them.
        let names = headers.map { Array($0.name.utf8) }
        let values = headers.map { Array($0.value.utf8) }
        return withPinned(names) { namePtrs in
            withPinned(values) { valuePtrs in
                let c = zip(namePtrs, valuePtrs).map { arb_header(name: $0, value: $1) }
                return c.withUnsafeBufferPointer { body($0.baseAddress, UInt32($0.count)) }
            }
        }
    }
}

/// Pins each byte array for the duration of `body` and hands out `arb_str` views of them.
private func withPinned<R>(_ arrays: [[UInt8]], _ body: ([arb_str]) -> R) -> R {
    var strs: [arb_str] = []
    strs.reserveCapacity(arrays.count)
    func pin(_ i: Int) -> R {
        guard i < arrays.count else { return body(strs) }
        return arrays[i].withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                strs.append(arb_str(data: $0.baseAddress, len: $0.count))
                return pin(i + 1)
            }
        }
    }
    return pin(0)
}

/// Lends `levels` to C as `arb_level`s for the duration of `body`. `Level` is two `Int64`s in
/// declaration order, as `arb_level` is: then the array's own storage is lent (a stream frame's
/// update costs no copy); were the layouts ever to differ, the levels are copied instead.
@inline(__always)
func withArbLevels<R>(_ levels: [Level], _ body: (UnsafeBufferPointer<arb_level>) -> R) -> R {
    if Level.hasArbLevelLayout {
        return levels.withUnsafeBufferPointer { $0.withMemoryRebound(to: arb_level.self, body) }
    }
    return levels.map { arb_level(price_micros: $0.price, size_centi: $0.size) }.withUnsafeBufferPointer(body)
}

extension Level {
    /// True when `Level` and `arb_level` have one layout (size, stride and field offsets).
    @inline(__always)
    static var hasArbLevelLayout: Bool {
        MemoryLayout<Level>.size == MemoryLayout<arb_level>.size
            && MemoryLayout<Level>.stride == MemoryLayout<arb_level>.stride
            && MemoryLayout<Level>.offset(of: \.price) == MemoryLayout<arb_level>.offset(of: \.price_micros)
            && MemoryLayout<Level>.offset(of: \.size) == MemoryLayout<arb_level>.offset(of: \.size_centi)
    }
}
