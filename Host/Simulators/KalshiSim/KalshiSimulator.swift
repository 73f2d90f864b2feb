import Crypto
import Foundation
import PluginKit
import _CryptoExtras

/// An in-process Kalshi exchange speaking the Trade API v2 wire protocol (kalshi.md): the same
/// paths, JSON shapes, auth headers and RSA-PSS signatures, books from a scenario, V2 orders
/// matched against the books, and injected faults. A network front (REST + WebSocket on
/// loopback) wraps this core; tests drive it directly. Not thread-safe: one caller at a time.
public final class KalshiSimulator {
    public enum Fault: Sendable, Equatable {
        /// The next request gets 429 with Kalshi's bare-string body.
        case rateLimit
        /// The next request gets 503.
        case serverError
        /// The next stream message skips a sequence number.
        case sequenceGap
    }

    struct Book {
        var yes: [MicroDollars: CentiContracts] = [:]
        var no: [MicroDollars: CentiContracts] = [:]
    }

    struct Order {
        var id: String
        var clientOrderID: String
        var ticker: String
        var bookSide: String
        var yesPrice: MicroDollars
        var filled: CentiContracts
        var remaining: CentiContracts
        var cost: MicroDollars
        var fees: MicroDollars
        var status: String
    }

    let scenario: KalshiScenario
    let publicKeys: [String: _RSA.Signing.PublicKey]
    let clock: () -> Int64
    /// Allowed distance between a request's timestamp and the simulator's clock.
    public var maxSkewMilliseconds: Int64 = 30_000
    public var faults: [Fault] = []
    private(set) var books: [String: Book] = [:]
    private var orders: [String: Order] = [:]
    /// Executions, oldest first, as `GET /portfolio/fills` reports them.
    private var executions: [[String: Any]] = []
    private var orderByClientID: [String: String] = [:]
    private var cash: MicroDollars
    private var nextOrder = 1
    /// Requests served, by path (for tests and the CLI's summary).
    public private(set) var requestLog: [String] = []
    private var streamSequence: UInt64 = 0
    private var streamSID: UInt64 = 0
    /// Markets with an `orderbook_delta` subscription, and the sids of the private channels.
    public private(set) var bookSubscriptions: [String] = []
    private var fillSID: UInt64?
    private var userOrdersSID: UInt64?
    private var nextSID: UInt64 = 0
    /// Stream messages caused by orders (book deltas, fills, order updates), waiting to be sent.
    private var outbox: [String] = []
    /// The scenario's price path, validated, and the next move to send.
    private var path: [(ticker: String, side: String, price: MicroDollars, change: CentiContracts)] = []
    private var nextMove = 0

    public init(scenario: KalshiScenario, publicKeys: [String: _RSA.Signing.PublicKey], clock: @escaping () -> Int64)
        throws
    {
        self.scenario = scenario
        self.publicKeys = publicKeys
        self.clock = clock
        guard let cash = FixedPoint.parse(scenario.cash, scale: FixedPoint.micros) else {
            throw KalshiSimulatorError(description: "scenario cash \"\(scenario.cash)\" is not a dollar amount")
        }
        self.cash = cash
        for event in scenario.events {
            for market in event.markets {
                var book = Book()
                for (side, levels) in [(true, market.yes_bids), (false, market.no_bids)] {
                    for level in levels {
                        guard level.count == 2, let p = FixedPoint.parse(level[0], scale: FixedPoint.micros),
                            let c = FixedPoint.parse(level[1], scale: FixedPoint.centi)
                        else { throw KalshiSimulatorError(description: "market \(market.ticker): bad level \(level)") }
                        if side { book.yes[p, default: 0] += c } else { book.no[p, default: 0] += c }
                    }
                }
                books[market.ticker] = book
            }
        }
        for (i, move) in (scenario.path ?? []).enumerated() {
            guard books[move.ticker] != nil else {
                throw KalshiSimulatorError(description: "path[\(i)]: no market \(move.ticker) in the scenario")
            }
            guard move.side == "yes" || move.side == "no" else {
                throw KalshiSimulatorError(description: "path[\(i)].side: \"\(move.side)\" is neither yes nor no")
            }
            guard let price = FixedPoint.parse(move.price, scale: FixedPoint.micros), price > 0,
                price < FixedPoint.micros
            else {
                throw KalshiSimulatorError(description: "path[\(i)].price: \"\(move.price)\" is not a price in (0, 1)")
            }
            let negative = move.change.hasPrefix("-")
            guard
                let size = FixedPoint.parse(
                    negative ? String(move.change.dropFirst()) : move.change, scale: FixedPoint.centi)
            else {
                throw KalshiSimulatorError(description: "path[\(i)].change: \"\(move.change)\" is not a contract count")
            }
            path.append((move.ticker, move.side, price, negative ? -size : size))
        }
    }

    /// True when the scenario scripts the stream's price path.
    public var hasPricePath: Bool { !path.isEmpty }

    /// The price path's next bid change, applied, as the delta frame subscribers get; cycles
    /// through the path. Nil without a path (the server then walks prices randomly).
    public func nextPathFrame() -> String? {
        guard !path.isEmpty else { return nil }
        let move = path[nextMove % path.count]
        nextMove += 1
        return changeBid(ticker: move.ticker, side: move.side, price: move.price, change: move.change)
    }

    public struct Response: Sendable {
        public var status: Int32
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    // MARK: REST

    /// Serves one request. `url` may be absolute or a path with query.
    public func handle(method: String, url: String, headers: [String: String], body: [UInt8]) -> Response {
        let path = Self.path(of: url)
        let query = Self.query(of: url)
        requestLog.append("\(method) \(path)")
        if let fault = faults.first, fault != .sequenceGap {
            faults.removeFirst()
            return fault == .rateLimit
                ? Response(status: 429, body: Array("{\"error\":\"too many requests\"}".utf8))
                : error(503, "service_unavailable", "exchange unavailable")
        }
        guard path.hasPrefix("/trade-api/v2/") else { return error(404, "not_found", "no route \(path)") }
        let route = String(path.dropFirst("/trade-api/v2".count))
        let needsAuth = route.hasPrefix("/portfolio/")
        if needsAuth || headers.keys.contains(where: { $0.lowercased() == "kalshi-access-signature" }) {
            if let failure = authenticate(method: method, path: path, headers: headers) { return failure }
        }
        let parts = route.split(separator: "/").map(String.init)
        switch (method, parts.count, parts.first) {
        case ("GET", 1, "series"):
            return json([
                "series": scenario.series.map {
                    [
                        "ticker": $0.ticker, "fee_type": $0.fee_type ?? "quadratic",
                        "fee_multiplier": $0.fee_multiplier ?? 1,
                    ] as [String: Any]
                }
            ])
        case ("GET", 1, "events"):
            return events(query)
        case ("GET", 3, "markets") where parts[2] == "orderbook":
            guard let book = books[parts[1]] else { return error(404, "not_found", "market \(parts[1]) not found") }
            func side(_ levels: [MicroDollars: CentiContracts]) -> [[String]] {
                levels.sorted { $0.key < $1.key }.map { [Self.dollars($0.key), Self.count($0.value)] }
            }
            return json(["orderbook_fp": ["yes_dollars": side(book.yes), "no_dollars": side(book.no)]])
        case ("POST", 3, "portfolio") where parts[1] == "events" && parts[2] == "orders":
            return place(body)
        case ("DELETE", 4, "portfolio") where parts[1] == "events" && parts[2] == "orders":
            return cancel(parts[3])
        case ("GET", 3, "portfolio") where parts[1] == "orders":
            guard let order = orders[parts[2]] else { return error(404, "not_found", "order \(parts[2]) not found") }
            return json(["order": describe(order)])
        case ("GET", 2, "portfolio") where parts[1] == "orders":
            return json(["orders": orders.values.sorted { $0.id < $1.id }.map(describe), "cursor": ""])
        case ("GET", 2, "portfolio") where parts[1] == "positions":
            return json(["market_positions": positions(), "event_positions": [] as [Any], "cursor": ""])
        case ("GET", 2, "portfolio") where parts[1] == "fills":
            return json(["fills": Array(executions.reversed()), "cursor": ""])
        case ("GET", 2, "portfolio") where parts[1] == "balance":
            return json([
                "balance": cash / 10_000, "balance_dollars": Self.dollars(cash), "portfolio_value": 0,
                "updated_ts": clock() / 1_000_000_000,
            ])
        default:
            return error(404, "not_found", "no route \(method) \(path)")
        }
    }

    /// Kalshi's scheme: RSA-PSS SHA-256 over timestamp + METHOD + path, with a bounded clock skew.
    func authenticate(method: String, path: String, headers: [String: String]) -> Response? {
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
        guard let keyID = header("KALSHI-ACCESS-KEY"), let timestamp = header("KALSHI-ACCESS-TIMESTAMP"),
            let signatureText = header("KALSHI-ACCESS-SIGNATURE")
        else { return error(401, "authentication_error", "missing KALSHI-ACCESS-* headers") }
        guard let key = publicKeys[keyID] else { return error(401, "authentication_error", "unknown api key") }
        guard let ms = Int64(timestamp), abs(ms - clock() / 1_000_000) <= maxSkewMilliseconds else {
            return error(401, "authentication_error", "timestamp outside the allowed skew")
        }
        guard let signature = Data(base64Encoded: signatureText),
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: SHA256.hash(data: Data("\(timestamp)\(method.uppercased())\(path)".utf8)), padding: .PSS)
        else { return error(401, "authentication_error", "invalid signature") }
        return nil
    }

    func events(_ query: [String: String]) -> Response {
        let limit = Int(query["limit"] ?? "200") ?? 200
        guard (1...200).contains(limit) else { return error(400, "bad_request", "bad request") }
        let start = Int(query["cursor"] ?? "") ?? 0
        let page = scenario.events.dropFirst(start).prefix(limit)
        let next = start + page.count < scenario.events.count ? String(start + page.count) : ""
        let withMarkets = query["with_nested_markets"] == "true"
        return json([
            "cursor": next,
            "events": page.map { event -> [String: Any] in
                var e: [String: Any] = [
                    "event_ticker": event.event_ticker, "series_ticker": event.series_ticker,
                    "title": event.title ?? "",
                    "mutually_exclusive": event.mutually_exclusive ?? false, "collateral_return_type": "",
                ]
                if withMarkets {
                    e["markets"] = event.markets.map { m -> [String: Any] in
                        [
                            "ticker": m.ticker, "event_ticker": event.event_ticker, "market_type": "binary",
                            "status": "active", "close_time": m.close_time ?? "2030-01-01T00:00:00Z",
                            "yes_sub_title": m.title ?? m.ticker,
                            "price_ranges": [["start": "0.0000", "end": "1.0000", "step": "0.0100"]],
                        ]
                    }
                }
                return e
            },
        ])
    }

    // MARK: Orders

    func place(_ body: [UInt8]) -> Response {
        guard let o = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let ticker = o["ticker"] as? String, let side = o["side"] as? String, side == "bid" || side == "ask",
            let countText = o["count"] as? String, let count = FixedPoint.parse(countText, scale: FixedPoint.centi),
            count > 0,
            let priceText = o["price"] as? String, let price = FixedPoint.parse(priceText, scale: FixedPoint.micros),
            let tif = o["time_in_force"] as? String,
            ["fill_or_kill", "good_till_canceled", "immediate_or_cancel"].contains(tif),
            o["self_trade_prevention_type"] as? String != nil
        else { return error(400, "invalid_parameters", "invalid order") }
        guard var book = books[ticker] else { return error(404, "not_found", "market \(ticker) not found") }
        guard price > 0, price < FixedPoint.micros, price % 10_000 == 0 else {
            return error(400, "invalid_order", "price \(priceText) is off the market's grid")
        }
        let clientOrderID = o["client_order_id"] as? String ?? ""
        if !clientOrderID.isEmpty, orderByClientID[clientOrderID] != nil {
            return error(409, "order_already_exists", "client_order_id \(clientOrderID) already used")
        }
        // A bid buys YES at ≤ price from NO bids (YES ask = 1 − NO bid); an ask sells YES at ≥ price to YES bids.
        let buying = side == "bid"
        let counter = (buying ? book.no : book.yes).sorted { $0.key > $1.key }
        var left = count
        var fills: [(yesPrice: MicroDollars, count: CentiContracts)] = []
        for (level, size) in counter where left > 0 {
            let yesPrice = buying ? FixedPoint.micros - level : level
            guard buying ? yesPrice <= price : yesPrice >= price else { break }
            let take = min(size, left)
            fills.append((yesPrice, take))
            left -= take
        }
        if tif == "fill_or_kill", left > 0 {
            return json(
                [
                    "order_id": nextID(), "client_order_id": clientOrderID, "fill_count": "0.00",
                    "remaining_count": "0.00", "ts_ms": clock() / 1_000_000,
                ], status: 201)
        }
        var cost: MicroDollars = 0
        var feeUnits: Int128 = 0
        let orderID = nextID()
        for fill in fills {
            let level = buying ? FixedPoint.micros - fill.yesPrice : fill.yesPrice
            queueDelta(
                ticker, side: buying ? "no" : "yes", price: level, change: -fill.count, clientOrderID: clientOrderID)
            if buying { book.no[level]! -= fill.count } else { book.yes[level]! -= fill.count }
            if buying {
                if book.no[level]! == 0 { book.no[level] = nil }
            } else if book.yes[level]! == 0 {
                book.yes[level] = nil
            }
            let paid = buying ? fill.yesPrice : FixedPoint.micros - fill.yesPrice
            cost += paid * fill.count / FixedPoint.centi
            // Σ C·P·(1−P) with C in centi-contracts and prices in µ$: units of 1e-14 dollars.
            feeUnits += Int128(fill.count) * Int128(fill.yesPrice) * Int128(FixedPoint.micros - fill.yesPrice)
            executions.append([
                "fill_id": "sim-fill-\(executions.count + 1)", "trade_id": "sim-fill-\(executions.count + 1)",
                "order_id": orderID,
                "ticker": ticker, "market_ticker": ticker, "book_side": side, "outcome_side": buying ? "yes" : "no",
                "count_fp": Self.count(fill.count), "yes_price_dollars": Self.dollars(fill.yesPrice),
                "no_price_dollars": Self.dollars(FixedPoint.micros - fill.yesPrice), "is_taker": true,
                "ts": clock() / 1_000_000_000,
            ])
        }
        // Taker fee for the order, rounded up to the cent: 0.07·Σ = 7·Σ·1e-16 $, a cent being 1e14 of 7·Σ.
        let feeMicros = MicroDollars((feeUnits * 7 + 99_999_999_999_999) / 100_000_000_000_000) * 10_000
        let filled = count - left
        let resting = tif == "good_till_canceled" ? left : 0
        if resting > 0 {
            if buying {
                book.yes[price, default: 0] += resting
            } else {
                book.no[FixedPoint.micros - price, default: 0] += resting
            }
            queueDelta(
                ticker, side: buying ? "yes" : "no", price: buying ? price : FixedPoint.micros - price,
                change: resting, clientOrderID: clientOrderID)
        }
        books[ticker] = book
        cash -= cost + feeMicros
        // The order's fee, reported on its last fill (Kalshi charges per order; the sum is what matters).
        if feeMicros > 0, let last = executions.indices.last, executions[last]["order_id"] as? String == orderID {
            executions[last]["fee_cost"] = Self.dollars(feeMicros)
        }
        let id = orderID
        let status = resting > 0 ? "resting" : (filled > 0 ? "executed" : "canceled")
        orders[id] = Order(
            id: id, clientOrderID: clientOrderID, ticker: ticker, bookSide: side, yesPrice: price, filled: filled,
            remaining: resting, cost: cost, fees: feeMicros, status: status)
        if !clientOrderID.isEmpty { orderByClientID[clientOrderID] = id }
        if let sid = fillSID {
            for e in executions where e["order_id"] as? String == id {
                var msg = e
                msg["ts_ms"] = clock() / 1_000_000
                msg["client_order_id"] = clientOrderID
                msg["fee_cost"] = msg["fee_cost"] ?? "0.0000"
                queue(["type": "fill", "sid": sid, "msg": msg])
            }
        }
        queueUserOrder(orders[id]!)
        var ack: [String: Any] = [
            "order_id": id, "client_order_id": clientOrderID, "fill_count": Self.count(filled),
            "remaining_count": Self.count(resting), "ts_ms": clock() / 1_000_000,
        ]
        if filled > 0 {
            ack["average_fill_price"] = Self.dollars(cost * FixedPoint.centi / filled)
            ack["average_fee_paid"] = Self.dollars(feeMicros * FixedPoint.centi / filled)
        }
        return json(ack, status: 201)
    }

    func cancel(_ id: String) -> Response {
        guard var order = orders[id] else { return error(404, "not_found", "order \(id) not found") }
        guard order.status == "resting" else { return error(400, "invalid_order", "order \(id) is not resting") }
        var book = books[order.ticker] ?? Book()
        if order.bookSide == "bid" {
            book.yes[order.yesPrice, default: 0] -= order.remaining
            if book.yes[order.yesPrice]! <= 0 { book.yes[order.yesPrice] = nil }
        } else {
            let level = FixedPoint.micros - order.yesPrice
            book.no[level, default: 0] -= order.remaining
            if book.no[level]! <= 0 { book.no[level] = nil }
        }
        books[order.ticker] = book
        let reduced = order.remaining
        queueDelta(
            order.ticker, side: order.bookSide == "bid" ? "yes" : "no",
            price: order.bookSide == "bid" ? order.yesPrice : FixedPoint.micros - order.yesPrice, change: -reduced,
            clientOrderID: order.clientOrderID)
        order.remaining = 0
        order.status = "canceled"
        orders[id] = order
        queueUserOrder(order)
        return json([
            "order_id": id, "client_order_id": order.clientOrderID, "reduced_by": Self.count(reduced),
            "ts_ms": clock() / 1_000_000,
        ])
    }

    /// Net position per market from the executions: + YES, − NO (Kalshi nets the two).
    func positions() -> [[String: Any]] {
        var net: [String: (CentiContracts, MicroDollars, MicroDollars)] = [:]
        for e in executions {
            guard let ticker = e["ticker"] as? String,
                let count = (e["count_fp"] as? String).flatMap({ FixedPoint.parse($0, scale: FixedPoint.centi) }),
                let yes = (e["yes_price_dollars"] as? String).flatMap({ FixedPoint.parse($0, scale: FixedPoint.micros) }
                )
            else { continue }
            let boughtYes = e["book_side"] as? String == "bid"
            let fee = (e["fee_cost"] as? String).flatMap { FixedPoint.parse($0, scale: FixedPoint.micros) } ?? 0
            var entry = net[ticker] ?? (0, 0, 0)
            entry.0 += boughtYes ? count : -count
            entry.1 += (boughtYes ? yes : FixedPoint.micros - yes) * count / FixedPoint.centi
            entry.2 += fee
            net[ticker] = entry
        }
        return net.sorted { $0.key < $1.key }.map { ticker, v in
            [
                "ticker": ticker, "position_fp": (v.0 < 0 ? "-" : "") + Self.count(abs(v.0)),
                "market_exposure_dollars": Self.dollars(v.1), "realized_pnl_dollars": "0.0000",
                "fees_paid_dollars": Self.dollars(v.2), "total_traded_dollars": Self.dollars(v.1),
            ]
        }
    }

    func describe(_ o: Order) -> [String: Any] {
        [
            "order_id": o.id, "client_order_id": o.clientOrderID, "ticker": o.ticker, "status": o.status,
            "book_side": o.bookSide, "yes_price_dollars": Self.dollars(o.yesPrice),
            "fill_count_fp": Self.count(o.filled), "remaining_count_fp": Self.count(o.remaining),
            "taker_fill_cost_dollars": Self.dollars(o.cost), "taker_fees_dollars": Self.dollars(o.fees),
            "maker_fill_cost_dollars": "0.0000", "maker_fees_dollars": "0.0000",
        ]
    }

    private func nextID() -> String {
        defer { nextOrder += 1 }
        return "sim-order-\(nextOrder)"
    }

    // MARK: WebSocket

    /// Checks the upgrade request's headers (signed as GET /trade-api/ws/v2).
    public func connect(headers: [String: String]) -> Response? {
        authenticate(method: "GET", path: "/trade-api/ws/v2", headers: headers)
    }

    /// Answers a client command; a subscribe returns the ack and one snapshot per market.
    public func receive(_ command: String) -> [String] {
        guard let o = try? JSONSerialization.jsonObject(with: Data(command.utf8)) as? [String: Any],
            let id = o["id"] as? Int, let cmd = o["cmd"] as? String
        else { return ["{\"id\":0,\"type\":\"error\",\"msg\":{\"code\":1,\"msg\":\"Unable to process message\"}}"] }
        func failure(_ code: Int, _ text: String) -> [String] {
            ["{\"id\":\(id),\"type\":\"error\",\"msg\":{\"code\":\(code),\"msg\":\"\(text)\"}}"]
        }
        guard cmd == "subscribe" else { return failure(5, "Unknown command") }
        guard let params = o["params"] as? [String: Any] else { return failure(2, "Params required") }
        guard let channels = params["channels"] as? [String], !channels.isEmpty else {
            return failure(3, "Channels required")
        }
        let known = ["orderbook_delta", "fill", "user_orders", "ticker", "trade"]
        guard channels.allSatisfy(known.contains) else { return failure(8, "Unknown channel") }
        let tickers = params["market_tickers"] as? [String] ?? []
        if channels.contains("orderbook_delta"), tickers.isEmpty { return failure(14, "Market ticker required") }
        var frames: [String] = []
        for channel in channels {
            nextSID += 1
            frames.append(
                "{\"id\":\(id),\"type\":\"subscribed\",\"msg\":{\"channel\":\"\(channel)\",\"sid\":\(nextSID)}}")
            switch channel {
            case "orderbook_delta": streamSID = nextSID
            case "fill": fillSID = nextSID
            case "user_orders": userOrdersSID = nextSID
            default: break
            }
        }
        guard channels.contains("orderbook_delta") else { return frames }
        for ticker in tickers where !bookSubscriptions.contains(ticker) { bookSubscriptions.append(ticker) }
        for ticker in tickers {
            guard let book = books[ticker] else { continue }
            func side(_ levels: [MicroDollars: CentiContracts]) -> String {
                levels.sorted { $0.key < $1.key }.map { "[\"\(Self.dollars($0.key))\",\"\(Self.count($0.value))\"]" }
                    .joined(separator: ",")
            }
            frames.append(
                "{\"type\":\"orderbook_snapshot\",\"sid\":\(streamSID),\"seq\":\(nextSequence()),\"msg\":{\"market_ticker\":\"\(ticker)\",\"yes_dollars_fp\":[\(side(book.yes))],\"no_dollars_fp\":[\(side(book.no))]}}"
            )
        }
        return frames
    }

    /// Changes a bid level by `change` contracts and returns the delta frame subscribers get.
    public func changeBid(ticker: String, side: String, price: MicroDollars, change: CentiContracts) -> String {
        var book = books[ticker] ?? Book()
        if side == "yes" {
            book.yes[price] = max(0, (book.yes[price] ?? 0) + change)
            if book.yes[price] == 0 { book.yes[price] = nil }
        } else {
            book.no[price] = max(0, (book.no[price] ?? 0) + change)
            if book.no[price] == 0 { book.no[price] = nil }
        }
        books[ticker] = book
        if faults.first == .sequenceGap {
            faults.removeFirst()
            _ = nextSequence()  // a message the client never sees
        }
        return deltaFrame(ticker, side: side, price: price, change: change, clientOrderID: nil)
    }

    /// One `orderbook_delta` message (the next sequence number of the book subscription).
    private func deltaFrame(
        _ ticker: String, side: String, price: MicroDollars, change: CentiContracts, clientOrderID: String?
    ) -> String {
        let sign = change < 0 ? "-" : ""
        // Kalshi names the order only to its owner; this simulator has one account.
        let own = clientOrderID.map { $0.isEmpty ? "" : ",\"client_order_id\":\"\($0)\"" } ?? ""
        return
            "{\"type\":\"orderbook_delta\",\"sid\":\(streamSID),\"seq\":\(nextSequence()),\"msg\":{\"market_ticker\":\"\(ticker)\",\"price_dollars\":\"\(Self.dollars(price))\",\"delta_fp\":\"\(sign)\(Self.count(abs(change)))\",\"side\":\"\(side)\"\(own),\"ts_ms\":\(clock() / 1_000_000)}}"
    }

    /// A book change an order made, for the market's subscribers.
    private func queueDelta(
        _ ticker: String, side: String, price: MicroDollars, change: CentiContracts, clientOrderID: String
    ) {
        guard change != 0, bookSubscriptions.contains(ticker) else { return }
        outbox.append(deltaFrame(ticker, side: side, price: price, change: change, clientOrderID: clientOrderID))
    }

    /// A `user_order` message for the `user_orders` subscriber.
    private func queueUserOrder(_ order: Order) {
        guard let sid = userOrdersSID else { return }
        var msg = describe(order)
        msg["last_updated_ts_ms"] = clock() / 1_000_000
        queue(["type": "user_order", "sid": sid, "msg": msg])
    }

    private func queue(_ message: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]) else { return }
        outbox.append(String(decoding: data, as: UTF8.self))
    }

    /// The stream messages orders caused since the last call (book deltas, `fill`, `user_order`),
    /// in the order they happened. The network front sends them on its next tick.
    public func takeStreamFrames() -> [String] {
        defer { outbox.removeAll() }
        return outbox
    }

    private func nextSequence() -> UInt64 {
        streamSequence += 1
        return streamSequence
    }

    // MARK: Wire helpers

    func json(_ object: [String: Any], status: Int32 = 200) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, body: Array(data))
    }

    func error(_ status: Int32, _ code: String, _ message: String) -> Response {
        json(["error": ["code": code, "message": message]], status: status)
    }

    /// "0.4500": four decimals as Kalshi responds.
    static func dollars(_ micros: MicroDollars) -> String {
        let tenThousandths = micros / 100
        let whole = tenThousandths / 10_000
        let fraction = String(tenThousandths % 10_000)
        return "\(whole)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// "12.50": two decimals as Kalshi responds.
    static func count(_ centi: CentiContracts) -> String {
        let fraction = String(centi % 100)
        return "\(centi / 100)." + String(repeating: "0", count: 2 - fraction.count) + fraction
    }

    static func path(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        return String(rest.prefix { $0 != "?" })
    }

    static func query(of url: String) -> [String: String] {
        guard let q = url.firstIndex(of: "?") else { return [:] }
        var out: [String: String] = [:]
        for pair in url[url.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            out[kv[0]] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
        }
        return out
    }
}
