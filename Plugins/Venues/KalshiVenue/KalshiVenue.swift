import FoundationEssentials
import PluginKit
import VenueSupport

/// The Kalshi venue (Trade API v2, 2026), sans-IO: it builds signed requests and WebSocket
/// frames and parses what the host brings back. See kalshi.md.
///
/// `[config]` (all optional): `rest_url` (default production), `ws_url`, `key_id` and
/// `signer_key` (the host key name; without them only public data is requested),
/// `fee_rounding` (`"cent"` default, `"direct"` for direct members), `page_size` (events per page).
public final class KalshiVenue: VenuePlugin {
    public let venueID = "kalshi"
    let host: HostServices
    let restURL: String
    let wsURL: String
    let signer: KalshiSigner?
    let feeRounding: KalshiFees.Rounding
    let pageSize: Int

    /// What each request in flight was for, by tag.
    enum Pending {
        case series
        case events
        case book(market: String)
        case place(clientOrderID: String, market: String)
        case cancel(orderID: String, market: String)
        case query(orderID: String)
        case balance
        case fills
        case positions
        case findByClientID(String)
    }
    /// Requests in flight by tag: what each was for, and the request as built, unsigned, so it can
    /// be signed again (`refreshRequest`).
    private var pending: [UInt64: (purpose: Pending, unsigned: HTTPRequest)] = [:]
    private var nextTag: UInt64 = 1
    private var nextCommandID = 1
    /// Fee schedule per series ticker, from `GET /series`.
    private var seriesFees: [String: (FeeSchedule, PartsPerMillion)] = [:]
    private var books = KalshiBookTracker()
    private let decoder = JSONDecoder()

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        try config.rejectUnknownKeys(allowed: [
            "rest_url", "ws_url", "key_id", "signer_key", "fee_rounding", "page_size",
        ])
        restURL = (try config.string("rest_url") ?? "https://external-api.kalshi.com/trade-api/v2").trimmingSuffix("/")
        wsURL = try config.string("ws_url") ?? "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
        let keyID = try config.string("key_id")
        let keyName = try config.string("signer_key")
        guard (keyID == nil) == (keyName == nil) else {
            throw PluginError.config(
                "key_id and signer_key go together: set both (trading) or neither (public data only)")
        }
        signer = keyID.map { KalshiSigner(host: host, keyID: $0, keyName: keyName!) }
        guard let rounding = KalshiFees.Rounding(rawValue: try config.string("fee_rounding") ?? "cent") else {
            throw PluginError.config("fee_rounding must be \"cent\" or \"direct\"")
        }
        feeRounding = rounding
        pageSize = Int(try config.int("page_size") ?? 200)
        guard (1...200).contains(pageSize) else {
            throw PluginError.config("page_size must be 1...200 (Kalshi rejects more)")
        }
        guard restURL.hasPrefix("http"), wsURL.hasPrefix("ws") else {
            throw PluginError.config("rest_url must be http(s)://… and ws_url ws(s)://…")
        }
    }

    public var rules: VenueRules { VenueRules(minimumOrder: 1, quantityStep: 1) }

    public func fee(_ query: FeeQuery) throws -> FeeResult {
        guard (0...FixedPoint.micros).contains(query.price), query.quantity >= 0 else {
            throw PluginError(.invalidArgument, "price \(query.price) or quantity \(query.quantity) out of range")
        }
        return FeeResult(
            fee: KalshiFees.fee(
                price: query.price, quantity: query.quantity, liquidity: query.liquidity, schedule: query.feeSchedule,
                multiplier: query.feeMultiplier, rounding: feeRounding),
            delivered: query.quantity)
    }

    // MARK: Requests

    private func request(
        _ method: HTTPRequest.Method, _ path: String, _ purpose: Pending, body: [UInt8] = [], bucket: String = "read",
        cost: Int64 = 10, idempotent: Bool = true
    ) throws -> HTTPRequest {
        let url = restURL + path
        let tag = nextTag
        nextTag += 1
        var request = HTTPRequest(
            method: method, url: url, body: body, rateBucket: bucket, rateCost: cost, tag: tag,
            isIdempotent: idempotent)
        pending[tag] = (purpose, request)
        request.headers = try headers(for: request)
        return request
    }

    /// The auth headers (timestamp, signature) and the body's content type, signed now.
    private func headers(for request: HTTPRequest) throws -> [HTTPHeader] {
        var headers = try signer?.headers(method: request.method.name, url: request.url) ?? []
        if !request.body.isEmpty { headers.append(HTTPHeader("Content-Type", "application/json")) }
        return headers
    }

    /// A request that waited in the host's rate governor, signed again: the signed timestamp
    /// must be recent when Kalshi reads it.
    public func refreshRequest(tag: UInt64, _ sink: VenueSink) throws {
        guard signer != nil, var request = pending[tag]?.unsigned else { return }
        request.headers = try headers(for: request)
        try sink.request(request)
    }

    public func startDiscovery(_ sink: VenueSink) throws {
        // Series first: they carry the fee type and multiplier every market of theirs is charged.
        try sink.request(try request(.get, "/series", .series))
    }

    private func eventsPage(cursor: String?) throws -> HTTPRequest {
        var path = "/events?status=open&with_nested_markets=true&limit=\(pageSize)"
        if let cursor, !cursor.isEmpty { path += "&cursor=" + WireText.queryEscaped(cursor) }
        return try request(.get, path, .events)
    }

    public func requestBook(marketID: String, _ sink: VenueSink) throws {
        try sink.request(try request(.get, "/markets/\(marketID)/orderbook", .book(market: marketID)))
    }

    /// Balance, positions and fills, for reconciliation.
    public func requestAccount(_ sink: VenueSink) throws {
        try sink.request(try request(.get, "/portfolio/balance", .balance))
        try sink.request(try request(.get, "/portfolio/positions?limit=1000", .positions))
        try sink.request(try request(.get, "/portfolio/fills?limit=1000", .fills))
    }

    // MARK: Responses

    public func handle(_ response: HTTPResponse, _ sink: VenueSink) throws {
        guard let purpose = pending.removeValue(forKey: response.tag)?.purpose else {
            throw PluginError(.invalidArgument, "kalshi: response with unknown tag \(response.tag)")
        }
        guard (200..<300).contains(response.status) else {
            let summary =
                (try? decoder.decode(KalshiErrorBody.self, from: Data(response.body)))?.summary
                ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            if case .book(let market) = purpose {
                try sink.gap(marketID: market, reason: "REST book failed: HTTP \(response.status)")
            }
            throw PluginError(
                response.status == 429
                    ? .rateLimited : (response.status == 401 || response.status == 403 ? .auth : .venue),
                "kalshi HTTP \(response.status): \(summary)")
        }
        switch purpose {
        case .series:
            for s in try decode(KalshiSeriesList.self, response.body).series ?? [] {
                seriesFees[s.ticker] = Self.feeSchedule(type: s.fee_type, multiplier: s.fee_multiplier)
            }
            try sink.request(try eventsPage(cursor: nil))
        case .events:
            let page = try decode(KalshiEventsPage.self, response.body)
            for event in page.events { try emit(event, sink) }
            if let cursor = page.cursor, !cursor.isEmpty { try sink.request(try eventsPage(cursor: cursor)) }
        case .book(let market):
            if let update = KalshiBookScanner.scan(response.body, market: market, at: response.receiveTime) {
                try sink.book(update)
            } else {
                try sink.book(
                    try Self.book(
                        try decode(KalshiOrderbookResponse.self, response.body), market: market,
                        at: response.receiveTime))
            }
        case .place(let clientOrderID, let market):
            let ack = try decode(KalshiOrderAck.self, response.body)
            try sink.order(try Self.report(ack, clientOrderID: clientOrderID, market: market))
        case .cancel(let orderID, let market):
            let ack = try decode(KalshiCancelAck.self, response.body)
            try sink.order(
                OrderReport(
                    state: .canceled, marketID: market, clientOrderID: ack.client_order_id ?? "", venueOrderID: orderID,
                    filled: 0, remaining: 0, venueTime: (ack.ts_ms ?? 0) * 1_000_000,
                    reason: "cancelled \(ack.reduced_by ?? "?") contracts"))
        case .query:
            try sink.order(try Self.report(try decode(KalshiOrderOne.self, response.body).order))
        case .fills:
            let page = try decode(KalshiFillsPage.self, response.body)
            for f in page.fills { try sink.fill(try Self.fill(f)) }
            if let cursor = page.cursor, !cursor.isEmpty {
                try sink.request(
                    try request(.get, "/portfolio/fills?limit=1000&cursor=" + WireText.queryEscaped(cursor), .fills))
            }
        case .positions:
            for p in try decode(KalshiPositions.self, response.body).market_positions ?? [] {
                let contracts = try p.position_fp.map(Self.count) ?? (p.position ?? 0) * 100
                do {
                    try sink.position(
                        marketID: p.ticker, contracts: contracts,
                        cost: try p.market_exposure_dollars.map(Self.dollars) ?? 0,
                        realizedPnL: try p.realized_pnl_dollars.map(Self.dollars) ?? 0,
                        fees: try p.fees_paid_dollars.map(Self.dollars) ?? 0)
                } catch let e as PluginError where e.code == .unsupported {
                    return  // a 1.0 host derives positions from fills
                }
            }
        case .findByClientID(let clientOrderID):
            let page = try decode(KalshiOrdersPage.self, response.body)
            if let order = page.orders.first(where: { $0.client_order_id == clientOrderID }) {
                try sink.order(try Self.report(order))
            } else {
                // Never sent, or not yet visible (Kalshi's reads are eventually consistent): unknown, not absent.
                try sink.order(
                    OrderReport(
                        state: .unknown, marketID: "", clientOrderID: clientOrderID, venueOrderID: "", filled: 0,
                        remaining: 0,
                        reason: "no order with this client id in the order list"))
            }
        case .balance:
            let b = try decode(KalshiBalance.self, response.body)
            // balance_dollars keeps sub-cent amounts; the legacy integer is cents.
            let cash = try b.balance_dollars.map { try Self.dollars($0) } ?? (b.balance ?? 0) * 10_000
            try sink.balance(cash: cash, portfolioValue: (b.portfolio_value ?? 0) * 10_000)
        }
    }

    private func emit(_ event: KalshiEvent, _ sink: VenueSink) throws {
        var (schedule, multiplier) = seriesFees[event.series_ticker] ?? (.quadratic, FixedPoint.ppm)
        if let override = event.fee_type_override ?? nil, !override.isEmpty {
            schedule = Self.feeSchedule(type: override, multiplier: nil).0
        }
        if let m = event.fee_multiplier_override { multiplier = PartsPerMillion((m * 1e6).rounded()) }
        for m in event.markets ?? [] where !m.isMultivariate && (m.market_type ?? "binary") == "binary" {
            let close = m.close_time.flatMap(WireText.nanoseconds) ?? 0
            let resolution =
                (m.expected_expiration_time ?? m.latest_expiration_time).flatMap(WireText.nanoseconds) ?? close
            try sink.market(
                MarketInfo(
                    marketID: m.ticker, eventID: m.event_ticker,
                    title: [event.title, m.yes_sub_title].compactMap { $0 }.joined(separator: " — "),
                    isActive: (m.status ?? "active") == "active" || m.status == "open", closeTime: close,
                    resolutionTime: resolution, tick: try Self.tick(m), minimumOrder: 1, feeSchedule: schedule,
                    feeMultiplier: multiplier))
        }
    }

    // MARK: Streaming

    public func openStream(marketIDs: [String], _ sink: VenueSink) throws {
        // The upgrade request is signed like a GET of /trade-api/ws/v2; re-signed on every reconnect.
        let headers = try signer?.headers(method: "GET", url: wsURL) ?? []
        try sink.openStream(url: wsURL, headers: headers)
        if signer != nil {
            // The account's own fills and order changes, pushed as they happen (private channels,
            // no market filter): the host learns of a fill without polling GET /portfolio/fills.
            try sink.send(
                frame:
                    "{\"id\":\(nextCommandID),\"cmd\":\"subscribe\",\"params\":{\"channels\":[\"fill\",\"user_orders\"]}}"
            )
            nextCommandID += 1
        }
        guard !marketIDs.isEmpty else { return }
        let id = nextCommandID
        nextCommandID += 1
        let tickers = marketIDs.map { "\"\($0)\"" }.joined(separator: ",")
        // use_yes_price is set explicitly: Kalshi plans to flip its default (kalshi.md §4).
        try sink.send(
            frame:
                "{\"id\":\(id),\"cmd\":\"subscribe\",\"params\":{\"channels\":[\"orderbook_delta\"],\"market_tickers\":[\(tickers)],\"use_yes_price\":false}}"
        )
    }

    public func handleStreamFrame(_ frame: [UInt8], receivedAt: Nanoseconds, _ sink: VenueSink) throws {
        // Most frames are deltas: read in place; anything the scanner does not take is decoded.
        if let found = frame.withUnsafeBufferPointer({ KalshiDeltaScanner.scan($0) }) {
            let text = { (r: Range<Int>) in String(decoding: frame[r], as: UTF8.self) }
            let sid = found.sid ?? 0
            if case .gap(let markets, let reason) = books.check(sid: sid, seq: found.seq) {
                for market in markets { try sink.gap(marketID: market, reason: reason) }
            }
            // A price and a size change are a few bytes: Strings that small are not allocated.
            try delta(
                market: text(found.ticker), side: found.side, price: try Self.dollars(text(found.price)),
                change: try Self.count(text(found.change)), sid: sid, seq: found.seq,
                venueTime: (found.tsMs ?? 0) * 1_000_000, receivedAt: receivedAt, sink)
            return
        }
        let data = Data(frame)
        let envelope = try decode(KalshiFrame.self, frame)
        switch envelope.type {
        case "orderbook_snapshot", "orderbook_delta":
            let sid = envelope.sid ?? 0
            if case .gap(let markets, let reason) = books.check(sid: sid, seq: envelope.seq) {
                for market in markets { try sink.gap(marketID: market, reason: reason) }
            }
            if envelope.type == "orderbook_snapshot" {
                let msg = try decoder.decode(KalshiSnapshotFrame.self, from: data).msg
                let yes = try Self.levels(msg.yes_dollars_fp, legacy: msg.yes)
                let no = try Self.levels(msg.no_dollars_fp, legacy: msg.no)
                books.replace(market: msg.market_ticker, sid: sid, yesBids: yes, noBids: no)
                var update = BookUpdate(kind: .snapshot, marketID: msg.market_ticker)
                update.yesBids = yes.sorted { $0.price > $1.price }
                update.noBids = no.sorted { $0.price > $1.price }
                update.venueSequence = envelope.seq ?? 0
                update.streamID = sid
                update.receiveTime = receivedAt
                try sink.book(update)
            } else {
                let msg = try decoder.decode(KalshiDeltaFrame.self, from: data).msg
                try delta(
                    market: msg.market_ticker, side: msg.side == "no" ? .no : .yes,
                    price: try msg.price_dollars.map(Self.dollars) ?? (msg.price ?? 0) * 10_000,
                    change: try msg.delta_fp.map(Self.count) ?? (msg.delta ?? 0) * 100, sid: sid, seq: envelope.seq,
                    venueTime: (msg.ts_ms ?? 0) * 1_000_000, receivedAt: receivedAt, sink)
            }
        case "fill":
            try sink.fill(try Self.fill(try decode(KalshiFillFrame.self, frame).msg))
        case "user_order":
            try sink.order(try Self.report(try decode(KalshiUserOrderFrame.self, frame).msg))
        case "error":
            let msg = (try? decoder.decode(KalshiErrorFrame.self, from: data))?.msg
            throw PluginError(.venue, "kalshi websocket error \(msg?.code ?? 0): \(msg?.msg ?? "?")")
        default:
            // subscribed / ok / unsubscribed acks; ticker, trade and market_position carry nothing the
            // books and fills do not already say.
            return
        }
    }

    // MARK: Orders

    public func place(_ order: OrderIntent, _ sink: VenueSink) throws {
        // V2 quotes everything on the YES book: buying YES is a bid at P; buying NO at p is an ask at 1 − p.
        let buysYes = (order.side == .yes) == (order.action == .buy)
        let yesPrice = order.side == .yes ? order.limitPrice : FixedPoint.micros - order.limitPrice
        let tif: String
        switch order.timeInForce {
        case .immediateOrCancel: tif = "immediate_or_cancel"
        case .fillOrKill: tif = "fill_or_kill"
        case .goodTillCanceled, .goodTillDate: tif = "good_till_canceled"
        }
        let body = KalshiCreateOrder(
            ticker: order.marketID, client_order_id: order.clientOrderID, side: buysYes ? "bid" : "ask",
            count: FixedPoint.format(order.quantity, scale: FixedPoint.centi),
            price: Self.priceText(yesPrice), time_in_force: tif, self_trade_prevention_type: "taker_at_cross",
            expiration_time: order.timeInForce == .goodTillDate && order.expires > 0
                ? order.expires / 1_000_000_000 : nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try sink.request(
            try request(
                .post, "/portfolio/events/orders", .place(clientOrderID: order.clientOrderID, market: order.marketID),
                body: Array(try encoder.encode(body)), bucket: "write", cost: 10, idempotent: true))
    }

    public func cancel(marketID: String, venueOrderID: String, _ sink: VenueSink) throws {
        try sink.request(
            try request(
                .delete, "/portfolio/events/orders/\(venueOrderID)?market_ticker=\(marketID)",
                .cancel(orderID: venueOrderID, market: marketID), bucket: "write", cost: 2))
    }

    public func queryOrder(clientOrderID: String, venueOrderID: String, _ sink: VenueSink) throws {
        guard !venueOrderID.isEmpty else {
            // Only the client id is known (a send whose answer was lost): find it in the order list.
            try sink.request(try request(.get, "/portfolio/orders?limit=1000", .findByClientID(clientOrderID)))
            return
        }
        try sink.request(try request(.get, "/portfolio/orders/\(venueOrderID)", .query(orderID: venueOrderID)))
    }

    // MARK: Parsing helpers

    /// One level's size change on `market`'s `side` (an `orderbook_delta`, read either way).
    private func delta(
        market: String, side: Side, price: MicroDollars, change: CentiContracts, sid: UInt64, seq: UInt64?,
        venueTime: Nanoseconds, receivedAt: Nanoseconds, _ sink: VenueSink
    ) throws {
        guard let size = books.apply(market: market, side: side, price: price, change: change) else {
            try sink.gap(marketID: market, reason: "delta before snapshot on sid \(sid)")
            return
        }
        try sink.bidChanged(
            marketID: market, side: side, level: Level(price: price, size: size), sequence: seq ?? 0, streamID: sid,
            venueTime: venueTime, receiveTime: receivedAt)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw PluginError(.parse, "kalshi: malformed \(type): \(error)")
        }
    }

    static func dollars(_ text: String) throws -> MicroDollars {
        guard let v = FixedPoint.parse(text, scale: FixedPoint.micros) else {
            throw PluginError(.parse, "kalshi: \"\(text)\" is not a dollar amount")
        }
        return v
    }

    static func count(_ text: String) throws -> CentiContracts {
        guard let v = FixedPoint.parse(text, scale: FixedPoint.centi) else {
            throw PluginError(.parse, "kalshi: \"\(text)\" is not a contract count")
        }
        return v
    }

    /// "0.4500": Kalshi accepts 2–4 decimals (6 for sub-penny grids).
    static func priceText(_ micros: MicroDollars) -> String {
        let text = FixedPoint.format(micros, scale: FixedPoint.micros)
        guard let dot = text.firstIndex(of: ".") else { return text + ".00" }
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        return decimals < 2 ? text + String(repeating: "0", count: 2 - decimals) : text
    }

    static func levels(_ current: [KalshiLevel]?, legacy: [KalshiLevel]?) throws -> [Level] {
        try (current ?? legacy ?? []).map { level in
            let price = level.isLegacyCents ? (Int64(level.price) ?? 0) * 10_000 : try dollars(level.price)
            guard (0...FixedPoint.micros).contains(price) else {
                throw PluginError(.parse, "kalshi: price \(level.price) outside [0, 1]")
            }
            return Level(price: price, size: try count(level.count))
        }
    }

    /// A REST book: bids only, ascending, best last; emitted best first.
    static func book(_ r: KalshiOrderbookResponse, market: String, at time: Nanoseconds) throws -> BookUpdate {
        let current = r.orderbook_fp
        let legacy = r.orderbook
        let yes = try levels(current?.yes_dollars, legacy: legacy?.yes_dollars ?? legacy?.yes)
        let no = try levels(current?.no_dollars, legacy: legacy?.no_dollars ?? legacy?.no)
        var update = BookUpdate(kind: .snapshot, marketID: market)
        update.yesBids = yes.sorted { $0.price > $1.price }
        update.noBids = no.sorted { $0.price > $1.price }
        update.receiveTime = time
        return update
    }

    /// The finest step of the market's price grid; legacy `tick_size` is in cents.
    static func tick(_ m: KalshiMarket) throws -> MicroDollars {
        if let ranges = m.price_ranges, !ranges.isEmpty {
            return try ranges.map { try dollars($0.step) }.min() ?? 10_000
        }
        return MicroDollars(m.tick_size ?? 1) * 10_000
    }

    static func feeSchedule(type: String?, multiplier: Double?) -> (FeeSchedule, PartsPerMillion) {
        let schedule: FeeSchedule
        switch type ?? "quadratic" {
        case "quadratic_with_maker_fees": schedule = .quadraticWithMaker
        case "quadratic_with_combo_maker_fees": schedule = .quadraticComboMaker
        case "flat": schedule = .flat
        default: schedule = .quadratic
        }
        return (schedule, PartsPerMillion(((multiplier ?? 1) * 1e6).rounded()))
    }

    static func report(_ ack: KalshiOrderAck, clientOrderID: String, market: String) throws -> OrderReport {
        let filled = try ack.fill_count.map(count) ?? 0
        let remaining = try ack.remaining_count.map(count) ?? 0
        // V2 acks carry no status: remaining > 0 rests; all filled executed; neither = cancelled (IOC).
        let state: OrderState =
            remaining > 0 ? (filled > 0 ? .partiallyFilled : .resting) : (filled > 0 ? .filled : .canceled)
        let average = try ack.average_fill_price.map(dollars) ?? -1
        let feePerContract = try ack.average_fee_paid.map(dollars) ?? 0
        return OrderReport(
            state: state, marketID: market, clientOrderID: ack.client_order_id ?? clientOrderID,
            venueOrderID: ack.order_id, filled: filled, remaining: remaining, averagePrice: average,
            fees: feePerContract * filled / FixedPoint.centi, venueTime: (ack.ts_ms ?? 0) * 1_000_000)
    }

    /// A fill in outcome terms: `book_side` bid bought YES at the YES price; ask bought NO at 1 − it.
    static func fill(_ f: KalshiFill) throws -> Fill {
        let yesPrice = try f.yes_price_dollars.map(dollars) ?? (f.yes_price ?? 0) * 10_000
        let boughtYes = f.book_side.map { $0 == "bid" } ?? ((f.outcome_side ?? f.side ?? "yes") == "yes")
        let quantity = try f.count_fp.map(count) ?? (f.count ?? 0) * 100
        return Fill(
            side: boughtYes ? .yes : .no, action: .buy, liquidity: f.is_taker == false ? .maker : .taker,
            marketID: f.market_ticker ?? f.ticker ?? "", venueOrderID: f.order_id,
            fillID: f.fill_id ?? f.trade_id ?? "",
            price: boughtYes ? yesPrice : FixedPoint.micros - yesPrice, quantity: quantity,
            fee: try f.fee_cost.map(dollars) ?? 0,
            venueTime: f.ts_ms.map { $0 * 1_000_000 } ?? (f.ts ?? 0) * 1_000_000_000)
    }

    static func report(_ o: KalshiOrder) throws -> OrderReport {
        let filled = try o.fill_count_fp.map(count) ?? (o.fill_count ?? 0) * 100
        let remaining = try o.remaining_count_fp.map(count) ?? (o.remaining_count ?? 0) * 100
        let state: OrderState
        switch o.status {
        case "resting": state = filled > 0 ? .partiallyFilled : .resting
        case "canceled", "cancelled": state = .canceled
        case "executed": state = .filled
        default: state = .unknown
        }
        let fees = try (o.taker_fees_dollars.map(dollars) ?? 0) + (o.maker_fees_dollars.map(dollars) ?? 0)
        let cost = try (o.taker_fill_cost_dollars.map(dollars) ?? 0) + (o.maker_fill_cost_dollars.map(dollars) ?? 0)
        return OrderReport(
            state: state, marketID: o.ticker, clientOrderID: o.client_order_id ?? "", venueOrderID: o.order_id,
            filled: filled, remaining: remaining, averagePrice: filled > 0 ? cost * FixedPoint.centi / filled : -1,
            fees: fees, venueTime: (o.last_updated_ts_ms ?? 0) * 1_000_000)
    }
}

/// `CreateOrderV2Request`.
struct KalshiCreateOrder: Encodable {
    var ticker: String
    var client_order_id: String
    var side: String
    var count: String
    var price: String
    var time_in_force: String
    var self_trade_prevention_type: String
    var expiration_time: Int64?
}
