import Crypto
import Foundation
import PluginKit

/// The Polymarket venue as its public market data speaks it (polymarket.md §1, §2, §6), in
/// process: Gamma's `GET /markets/keyset`, the CLOB's `GET /book`, and the market channel
/// (`{"type":"market","assets_ids":[…]}` subscriptions, `PING`/`PONG`, `book` dumps and
/// `price_change` events). What a real client relies on is reproduced: JSON-encoded strings
/// inside Gamma markets, numbers as strings on the CLOB, bids ascending and asks descending (the
/// best level last), the book `hash` (SHA-1 of the compact book, as py-clob-client-v2 computes
/// it), keyset cursors omitted on the last page, 422 for `offset` or a bad `limit`, 400/404 for
/// a bad or unknown token, a socket closed when its first frame is not a subscription.
///
/// Not thread-safe: ``PolymarketSimServer`` wraps it in a mutex.
public final class PolymarketSimulator {
    public enum Fault: Sendable, Equatable {
        /// The next request is answered 429 with `Retry-After: 1`.
        case rateLimit
        /// The next request is answered 500.
        case serverError
    }

    /// Faults for the next requests, first first.
    public var faults: [Fault] = []

    struct Market {
        var scenario: PolymarketScenario.Market
        var event: PolymarketScenario.Event
        var tick: MicroDollars
        /// The YES token's book: price → size in centi-shares.
        var bids: [MicroDollars: CentiContracts]
        var asks: [MicroDollars: CentiContracts]
        var lastTrade: MicroDollars = 500_000
    }

    private(set) var markets: [Market] = []
    private var byToken: [String: (market: Int, isYes: Bool)] = [:]
    private var byCondition: [String: Int] = [:]
    private let path: [PolymarketScenario.Move]
    private var pathIndex = 0
    private let clock: @Sendable () -> Int64

    public init(scenario: PolymarketScenario, clock: @escaping @Sendable () -> Int64) throws {
        self.clock = clock
        path = scenario.path ?? []
        func fixed(_ text: String, _ scale: Int64, _ what: String) throws -> Int64 {
            guard let v = FixedPoint.parse(text, scale: scale), v >= 0 else {
                throw PolymarketSimulatorError(description: "\(what) \"\(text)\" is not a decimal")
            }
            return v
        }
        func side(_ levels: [[String]], _ market: String) throws -> [MicroDollars: CentiContracts] {
            var out: [MicroDollars: CentiContracts] = [:]
            for level in levels {
                guard level.count == 2 else {
                    throw PolymarketSimulatorError(description: "\(market): a level is [price, size]")
                }
                let price = try fixed(level[0], FixedPoint.micros, "\(market) price")
                guard price > 0, price < FixedPoint.micros else {
                    throw PolymarketSimulatorError(description: "\(market): price \(level[0]) outside (0, 1)")
                }
                out[price] = try fixed(level[1], FixedPoint.centi, "\(market) size")
            }
            return out
        }
        for event in scenario.events {
            for m in event.markets {
                let tick = try fixed(m.tick ?? "0.01", FixedPoint.micros, "\(m.condition_id) tick")
                let market = Market(
                    scenario: m, event: event, tick: tick, bids: try side(m.bids, m.condition_id),
                    asks: try side(m.asks, m.condition_id))
                if let bid = market.bids.keys.max(), let ask = market.asks.keys.min(), bid >= ask {
                    throw PolymarketSimulatorError(description: "\(m.condition_id): the book is crossed")
                }
                guard byCondition[m.condition_id] == nil, byToken[m.yes_token] == nil, byToken[m.no_token] == nil,
                    m.yes_token != m.no_token
                else {
                    throw PolymarketSimulatorError(description: "\(m.condition_id): a market id or token is repeated")
                }
                byCondition[m.condition_id] = markets.count
                byToken[m.yes_token] = (markets.count, true)
                byToken[m.no_token] = (markets.count, false)
                markets.append(market)
            }
        }
    }

    // MARK: REST

    public struct Response: Sendable {
        public var status: Int32
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One HTTP request, Gamma's or the CLOB's (both are served: the paths do not overlap).
    /// Polymarket's public market data takes no headers and no bodies: the method and URL say all.
    public func handle(method: String, url: String) -> Response {
        if !faults.isEmpty {
            switch faults.removeFirst() {
            case .rateLimit:
                var r = error(429, "Too Many Requests")
                r.headers.append(("Retry-After", "1"))
                return r
            case .serverError: return error(500, "internal server error")
            }
        }
        let (path, query) = Self.split(url)
        switch (method, path) {
        case ("GET", "/markets/keyset"): return marketsPage(query)
        case ("GET", "/book"): return book(query)
        default: return error(404, "not found")
        }
    }

    /// Gamma's keyset pages: `limit` 1...100 (default 20), `after_cursor` the previous page's
    /// `next_cursor`, `offset` refused; `next_cursor` only on a full page.
    func marketsPage(_ query: [String: String]) -> Response {
        if query["offset"] != nil { return error(422, "offset is not supported on keyset endpoints") }
        let limit = query["limit"].map { Int($0) } ?? 20
        guard let limit, (1...100).contains(limit) else { return error(422, "limit must be between 1 and 100") }
        var start = 0
        if let cursor = query["after_cursor"] {
            guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
                text.hasPrefix("m:"), let n = Int(text.dropFirst(2)), n >= 0
            else { return error(422, "invalid cursor") }
            start = n
        }
        // Every market here is open: `closed=true` lists none.
        let shown = query["closed"] == "true" ? [] : Array(markets.indices.dropFirst(start).prefix(limit))
        var page: [String: Any] = ["markets": shown.map { gammaMarket(markets[$0], id: $0) }]
        if shown.count == limit, let last = shown.last, last + 1 < markets.count {
            page["next_cursor"] = Data("m:\(last + 1)".utf8).base64EncodedString()
        }
        return json(page)
    }

    func gammaMarket(_ m: Market, id: Int) -> [String: Any] {
        let s = m.scenario
        func encoded(_ strings: [String]) -> String {
            "[" + strings.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
        let bid = m.bids.keys.max()
        let ask = m.asks.keys.min()
        let rate = Double(s.fee_rate ?? "0") ?? 0
        var market: [String: Any] = [
            "id": String(600_000 + id), "conditionId": s.condition_id, "question": s.question ?? s.condition_id,
            "slug": s.condition_id.suffix(12).lowercased(), "outcomes": encoded(["Yes", "No"]),
            "outcomePrices": encoded([Self.price(bid ?? 0), Self.price(FixedPoint.micros - (bid ?? 0))]),
            "clobTokenIds": encoded([s.yes_token, s.no_token]), "active": true, "closed": false,
            "archived": false, "acceptingOrders": true, "enableOrderBook": true,
            "orderPriceMinTickSize": Double(m.tick) / 1e6, "orderMinSize": Double(s.min_size ?? "5") ?? 5,
            "feesEnabled": rate > 0, "negRisk": m.event.neg_risk ?? false,
            "events": [["id": m.event.id, "title": m.event.title ?? "", "negRisk": m.event.neg_risk ?? false]],
        ]
        if rate > 0 {
            market["feeSchedule"] = [
                "rate": rate, "exponent": s.fee_exponent ?? 1, "takerOnly": true, "rebateRate": 0.25,
            ]
        }
        if let end = s.end_date { market["endDate"] = end }
        if let title = s.group_item_title { market["groupItemTitle"] = title }
        if let bid { market["bestBid"] = Double(bid) / 1e6 }
        if let ask { market["bestAsk"] = Double(ask) / 1e6 }
        return market
    }

    /// `GET /book?token_id=`: either token's book (the NO token's is the YES book mirrored).
    func book(_ query: [String: String]) -> Response {
        guard let token = query["token_id"], !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return error(400, "Invalid token id")
        }
        guard let (index, isYes) = byToken[token] else {
            return error(404, "No orderbook exists for the requested token id")
        }
        return Response(
            status: 200, headers: [("Content-Type", "application/json")],
            body: Array(bookJSON(index, isYes: isYes).utf8))
    }

    /// A token's levels as served: bids ascending, asks descending.
    func levels(_ index: Int, isYes: Bool) -> (
        bids: [(MicroDollars, CentiContracts)], asks: [(MicroDollars, CentiContracts)]
    ) {
        let m = markets[index]
        let mirror = { (levels: [MicroDollars: CentiContracts]) in
            levels.map { (FixedPoint.micros - $0.key, $0.value) }
        }
        let bids = isYes ? m.bids.map { ($0.key, $0.value) } : mirror(m.asks)
        let asks = isYes ? m.asks.map { ($0.key, $0.value) } : mirror(m.bids)
        return (bids.sorted { $0.0 < $1.0 }, asks.sorted { $0.0 > $1.0 })
    }

    /// The book object in the CLOB's key order, its hash computed over the same text with an
    /// empty hash (py-clob-client-v2's `generate_orderbook_summary_hash`).
    func bookJSON(_ index: Int, isYes: Bool, eventType: Bool = false) -> String {
        let m = markets[index]
        let token = isYes ? m.scenario.yes_token : m.scenario.no_token
        let (bids, asks) = levels(index, isYes: isYes)
        func side(_ levels: [(MicroDollars, CentiContracts)]) -> String {
            "["
                + levels.map { "{\"price\":\"\(Self.price($0.0))\",\"size\":\"\(Self.size($0.1))\"}" }.joined(
                    separator: ",")
                + "]"
        }
        let last = isYes ? m.lastTrade : FixedPoint.micros - m.lastTrade
        let timestamp = String(clock() / 1_000_000)
        func text(hash: String) -> String {
            "{\"market\":\"\(m.scenario.condition_id)\",\"asset_id\":\"\(token)\",\"timestamp\":\"\(timestamp)\","
                + "\"hash\":\"\(hash)\",\"bids\":\(side(bids)),\"asks\":\(side(asks)),"
                + "\"min_order_size\":\"\(m.scenario.min_size ?? "5")\",\"tick_size\":\"\(Self.price(m.tick))\","
                + "\"neg_risk\":\(m.event.neg_risk ?? false),\"last_trade_price\":\"\(Self.price(last))\"}"
        }
        let hash = Insecure.SHA1.hash(data: Array(text(hash: "").utf8)).map { String(format: "%02x", $0) }.joined()
        let book = text(hash: hash)
        // The channel's `book` event: the same object with its type first.
        return eventType ? "{\"event_type\":\"book\"," + book.dropFirst() : book
    }

    // MARK: The market channel

    /// One socket's state: its subscribed tokens, and whether the server closed it.
    public struct Connection: Sendable {
        public internal(set) var assets: [String] = []
        public internal(set) var isClosed = false
        var isSubscribed = false

        public init() {}
    }

    /// A text frame from the client; what the server answers, in order. A first frame that
    /// is not a subscription, or an unreadable one, closes the socket (``Connection/isClosed``).
    public func receive(_ text: String, on connection: inout Connection) -> [String] {
        guard !connection.isClosed else { return [] }
        if text == "PING" { return ["PONG"] }
        guard let o = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let assets = o["assets_ids"] as? [String]
        else {
            connection.isClosed = true
            return []
        }
        let known = assets.filter { byToken[$0] != nil }
        switch (o["type"] as? String, o["operation"] as? String) {
        case ("market"?, nil):
            connection.isSubscribed = true
            connection.assets = known
        case (nil, "subscribe"?) where connection.isSubscribed:
            let new = known.filter { !connection.assets.contains($0) }
            connection.assets += new
            return dump(new)
        case (nil, "unsubscribe"?) where connection.isSubscribed:
            connection.assets.removeAll { known.contains($0) }
            return []
        default:
            connection.isClosed = true
            return []
        }
        return o["initial_dump"] as? Bool == false ? [] : dump(known)
    }

    /// A book per asset, as one frame holding a JSON array (the initial dump's shape).
    func dump(_ assets: [String]) -> [String] {
        let books = assets.compactMap { byToken[$0] }.map { bookJSON($0.market, isYes: $0.isYes, eventType: true) }
        return books.isEmpty ? [] : ["[" + books.joined(separator: ",") + "]"]
    }

    /// The next move of the scenario's price path, applied: its `price_change` frame.
    public func nextPathFrame() -> String? {
        guard !path.isEmpty else { return nil }
        let move = path[pathIndex % path.count]
        pathIndex += 1
        guard let index = byCondition[move.condition_id],
            let price = FixedPoint.parse(move.price, scale: FixedPoint.micros),
            let size = FixedPoint.parse(move.size, scale: FixedPoint.centi)
        else { return nil }
        return change(index, isBuy: move.side == "BUY", price: price, size: size)
    }

    /// A seeded random move of one of `connection`'s markets near its touch: a level's new
    /// size on the YES bids (BUY) or asks (SELL), never crossing the book; its frame.
    public func randomMove(on connection: Connection, rng: inout SplitMix64) -> String? {
        guard !connection.assets.isEmpty,
            let (index, _) = byToken[connection.assets[Int(rng.below(UInt64(connection.assets.count)))]]
        else { return nil }
        let m = markets[index]
        let isBuy = rng.below(2) == 0
        let ticks = Int64(rng.below(5))
        let price: MicroDollars
        if isBuy {
            let top = (m.asks.keys.min() ?? FixedPoint.micros) - m.tick
            price = max(m.tick, top - ticks * m.tick)
            guard price <= top else { return nil }
        } else {
            let bottom = (m.bids.keys.max() ?? 0) + m.tick
            price = min(FixedPoint.micros - m.tick, bottom + ticks * m.tick)
            guard price >= bottom else { return nil }
        }
        let existing = isBuy ? m.bids[price] : m.asks[price]
        let size = existing != nil && rng.below(3) == 0 ? 0 : CentiContracts(1 + rng.below(2_000)) * 100
        return change(index, isBuy: isBuy, price: price, size: size)
    }

    /// Sets one YES level and returns the `price_change` event naming both tokens: a YES bid at p
    /// is a NO ask at 1 − p.
    public func change(_ index: Int, isBuy: Bool, price: MicroDollars, size: CentiContracts) -> String {
        if isBuy {
            markets[index].bids[price] = size > 0 ? size : nil
        } else {
            markets[index].asks[price] = size > 0 ? size : nil
        }
        let m = markets[index]
        let (yesBid, yesAsk) = (m.bids.keys.max(), m.asks.keys.min())
        func entry(_ token: String, _ p: MicroDollars, _ side: String, bid: MicroDollars?, ask: MicroDollars?) -> String
        {
            var hash = SplitMix64(seed: UInt64(bitPattern: clock()) ^ UInt64(p))
            let h = (0..<3).map { _ in String(hash.next(), radix: 16) }.joined().prefix(40)
            return "{\"asset_id\":\"\(token)\",\"price\":\"\(Self.price(p))\",\"size\":\"\(Self.size(size))\","
                + "\"side\":\"\(side)\",\"hash\":\"\(h)\",\"best_bid\":\"\(bid.map(Self.price) ?? "0")\","
                + "\"best_ask\":\"\(ask.map(Self.price) ?? "1")\"}"
        }
        let yes = entry(m.scenario.yes_token, price, isBuy ? "BUY" : "SELL", bid: yesBid, ask: yesAsk)
        let no = entry(
            m.scenario.no_token, FixedPoint.micros - price, isBuy ? "SELL" : "BUY",
            bid: yesAsk.map { FixedPoint.micros - $0 }, ask: yesBid.map { FixedPoint.micros - $0 })
        return "{\"market\":\"\(m.scenario.condition_id)\",\"price_changes\":[\(yes),\(no)],"
            + "\"timestamp\":\"\(clock() / 1_000_000)\",\"event_type\":\"price_change\"}"
    }

    /// The tokens of every market, YES first: what a client subscribes to.
    public var yesTokens: [String] { markets.map(\.scenario.yes_token) }

    // MARK: Helpers

    func json(_ object: Any, status: Int32 = 200) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }

    func error(_ status: Int32, _ message: String) -> Response { json(["error": message], status: status) }

    static func price(_ micros: MicroDollars) -> String { FixedPoint.format(micros, scale: FixedPoint.micros) }
    static func size(_ centi: CentiContracts) -> String { FixedPoint.format(centi, scale: FixedPoint.centi) }

    /// The path and the query's values (percent-decoded) of a URL or a path.
    static func split(_ url: String) -> (path: String, query: [String: String]) {
        var rest = url
        if let scheme = rest.range(of: "://") {
            rest = String(rest[scheme.upperBound...])
            rest = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let value = kv.count == 2 ? String(kv[1]).removingPercentEncoding ?? String(kv[1]) : ""
                query[String(kv[0])] = value
            }
        }
        return (String(parts[0]), query)
    }
}
