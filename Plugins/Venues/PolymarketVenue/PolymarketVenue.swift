import FoundationEssentials
import PluginKit
import VenueSupport

/// Polymarket's public market data (Gamma discovery, CLOB V2 books, the market channel), sans-IO:
/// it builds the requests and the WebSocket frames and parses what the host brings back. See
/// polymarket.md §1, §2, §6.
///
/// Market data only: placing orders needs V2's EIP-712 order signatures (secp256k1 and
/// Keccak-256) and L2 HMAC headers, which this plugin does not build yet, so ``place(_:_:)``
/// and the other order calls keep the protocol's default (`unsupported`). Paper mode needs none.
///
/// A market is a condition id (`conditionId`); its YES token is the first of `clobTokenIds`,
/// the NO token the second. Books are requested and streamed by the YES token and stated to the
/// host as both tokens' bids (``PolymarketBook``).
///
/// `[config]` (all optional): `gamma_url`, `clob_url`, `ws_url` (defaults: production),
/// `page_size` (markets per Gamma page, 1...100, default 100), `ping_seconds` (the market
/// channel's heartbeat, default 10: Polymarket drops a socket that stays silent for about 10 s).
public final class PolymarketVenue: VenuePlugin {
    public let venueID = "polymarket"
    let host: HostServices
    let gammaURL: String
    let clobURL: String
    let wsURL: String
    let pageSize: Int
    let pingInterval: Nanoseconds

    /// What each request in flight was for, by tag.
    enum Pending {
        case markets
        case book(market: String, token: String)
    }
    private var pending: [UInt64: Pending] = [:]
    private var nextTag: UInt64 = 1
    private var tokens = PolymarketTokens()
    /// The stream is open (since ``openStream(marketIDs:_:)``); the last heartbeat sent.
    private var isStreaming = false
    private var lastPing: Nanoseconds = 0
    private let decoder = JSONDecoder()

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        try config.rejectUnknownKeys(allowed: ["gamma_url", "clob_url", "ws_url", "page_size", "ping_seconds"])
        gammaURL = (try config.string("gamma_url") ?? "https://gamma-api.polymarket.com").trimmingSuffix("/")
        clobURL = (try config.string("clob_url") ?? "https://clob.polymarket.com").trimmingSuffix("/")
        wsURL = try config.string("ws_url") ?? "wss://ws-subscriptions-clob.polymarket.com/ws/market"
        pageSize = Int(try config.int("page_size") ?? 100)
        guard (1...100).contains(pageSize) else {
            throw PluginError.config("page_size must be 1...100 (Gamma's keyset pages hold at most 100)")
        }
        let ping = try config.int("ping_seconds") ?? 10
        guard (1...60).contains(ping) else { throw PluginError.config("ping_seconds must be 1...60") }
        pingInterval = ping * 1_000_000_000
        guard gammaURL.hasPrefix("http"), clobURL.hasPrefix("http"), wsURL.hasPrefix("ws") else {
            throw PluginError.config("gamma_url and clob_url must be http(s)://… and ws_url ws(s)://…")
        }
    }

    /// Orders go in shares with two decimals; markets state their own minimum (5 shares usually).
    public var rules: VenueRules { VenueRules(minimumOrder: 500, quantityStep: 1) }

    public func fee(_ query: FeeQuery) throws -> FeeResult {
        guard (0...FixedPoint.micros).contains(query.price),
            (0...PolymarketFees.maximumQuantity).contains(query.quantity)
        else {
            throw PluginError(.invalidArgument, "price \(query.price) or quantity \(query.quantity) out of range")
        }
        guard query.feeSchedule != .none else { return FeeResult(fee: 0, delivered: query.quantity) }
        guard (0...FixedPoint.ppm).contains(query.feeMultiplier) else {
            throw PluginError(.invalidArgument, "fee rate \(query.feeMultiplier) ppm is not a rate")
        }
        // V2 computes the fee in pUSD; how a buy's fee is collected (shares or cash) is not
        // documented, so it is stated as cash and the shares as delivered in full.
        return FeeResult(
            fee: PolymarketFees.fee(
                price: query.price, quantity: query.quantity, rate: query.feeMultiplier, liquidity: query.liquidity),
            delivered: query.quantity)
    }

    // MARK: Requests

    private func request(_ url: String, _ purpose: Pending, bucket: String) -> HTTPRequest {
        let tag = nextTag
        nextTag += 1
        pending[tag] = purpose
        return HTTPRequest(method: .get, url: url, rateBucket: bucket, rateCost: 1, tag: tag)
    }

    public func startDiscovery(_ sink: VenueSink) throws {
        try sink.request(marketsPage(cursor: nil))
    }

    /// Gamma hides closed markets by default since 2026; `closed=false` says so anyway.
    private func marketsPage(cursor: String?) -> HTTPRequest {
        var url = "\(gammaURL)/markets/keyset?limit=\(pageSize)&closed=false"
        if let cursor, !cursor.isEmpty { url += "&after_cursor=" + WireText.queryEscaped(cursor) }
        return request(url, .markets, bucket: "gamma")
    }

    public func requestBook(marketID: String, _ sink: VenueSink) throws {
        guard let token = tokens.markets[marketID]?.yesToken else {
            throw PluginError(.notFound, "polymarket: no market \(marketID) was discovered")
        }
        try sink.request(
            request("\(clobURL)/book?token_id=\(token)", .book(market: marketID, token: token), bucket: "book"))
    }

    // MARK: Responses

    public func handle(_ response: HTTPResponse, _ sink: VenueSink) throws {
        guard let purpose = pending.removeValue(forKey: response.tag) else {
            throw PluginError(.invalidArgument, "polymarket: response with unknown tag \(response.tag)")
        }
        guard (200..<300).contains(response.status) else {
            let summary =
                (try? decoder.decode(ClobError.self, from: Data(response.body)))?.error
                ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            if case .book(let market, _) = purpose {
                try sink.gap(marketID: market, reason: "REST book failed: HTTP \(response.status)")
            }
            throw PluginError(
                response.status == 429 ? .rateLimited : (response.status == 401 ? .auth : .venue),
                "polymarket HTTP \(response.status): \(summary)")
        }
        switch purpose {
        case .markets:
            let page = try decode(GammaMarketsPage.self, response.body)
            var skipped = 0
            for market in page.markets {
                // One malformed market is left out, said in the log; the page and the next go on.
                let info: MarketInfo?
                do {
                    info = try Self.market(market, decoder: decoder, log: { host.log(.warning, $0) })
                } catch {
                    host.log(.warning, "\(error); the market is left out")
                    info = nil
                }
                guard let info else {
                    skipped += 1
                    continue
                }
                tokens.add(info)
                try sink.market(info)
            }
            if skipped > 0 {
                host.log(
                    .info,
                    "polymarket: \(skipped) of \(page.markets.count) markets left out (no order book of two tokens, or malformed)"
                )
            }
            // The last page omits the cursor; a page that came back empty ends it too.
            if let cursor = page.next_cursor, !cursor.isEmpty, !page.markets.isEmpty {
                try sink.request(marketsPage(cursor: cursor))
            }
        case .book(let market, let token):
            try sink.book(try book(response.body, market: market, token: token, at: response.receiveTime))
        }
    }

    /// A REST book answer for `token`: read in place, or decoded when the reader refuses it.
    /// A book of another token is refused, never applied to this market.
    func book(_ body: [UInt8], market: String, token: String, at time: Nanoseconds) throws -> BookUpdate {
        let found = body.withUnsafeBufferPointer { b -> (isToken: Bool, BookUpdate)? in
            guard let book = PolymarketScanner.restBook(b) else { return nil }
            return (
                token.utf8.elementsEqual(b[book.asset]),
                PolymarketBook.snapshot(
                    market: market, token: .yes, bids: book.bids, asks: book.asks, venueTime: book.venueTime,
                    receivedAt: time)
            )
        }
        let (isToken, update) = try found ?? decodedBook(body, token: token, market: market, at: time)
        guard isToken else {
            throw PluginError(.parse, "polymarket: asked for the book of token \(token), got another token's")
        }
        return update
    }

    private func decodedBook(_ body: [UInt8], token: String, market: String, at time: Nanoseconds) throws -> (
        Bool, BookUpdate
    ) {
        let b = try decode(ClobBook.self, body)
        return (
            b.asset_id == token,
            PolymarketBook.snapshot(
                market: market, token: .yes, bids: try Self.levels(b.bids), asks: try Self.levels(b.asks),
                venueTime: PolymarketBook.milliseconds(b.timestamp), receivedAt: time)
        )
    }

    /// A Gamma market as the host's market, or nil when it has no order book of two tokens.
    static func market(_ m: GammaMarket, decoder: JSONDecoder, log: (String) -> Void) throws -> MarketInfo? {
        guard let id = m.conditionId, !id.isEmpty, m.enableOrderBook != false,
            let tokenText = m.clobTokenIds,
            let tokens = try? decoder.decode([String].self, from: Data(tokenText.utf8)),
            tokens.count == 2, tokens.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } })
        else { return nil }
        // A market that states no tick or minimum trades on Polymarket's defaults: $0.01, 5 shares.
        let tick = m.orderPriceMinTickSize.map { $0.fixed(scale: FixedPoint.micros) } ?? 10_000
        guard let tick, tick > 0, tick < FixedPoint.micros else {
            throw PluginError(
                .parse, "polymarket: market \(id) has tick \(String(describing: m.orderPriceMinTickSize))")
        }
        let minimum = m.orderMinSize.map { $0.fixed(scale: FixedPoint.centi) } ?? 500
        guard let minimum, minimum >= 0 else {
            throw PluginError(.parse, "polymarket: market \(id) has minimum size \(String(describing: m.orderMinSize))")
        }
        var active = m.active != false && m.closed != true && m.archived != true && m.acceptingOrders != false
        var schedule = FeeSchedule.none
        var rate: PartsPerMillion = 0
        if m.feesEnabled == true, let fees = m.feeSchedule {
            guard let r = fees.rate?.fixed(scale: FixedPoint.ppm), (0...FixedPoint.ppm).contains(r) else {
                throw PluginError(.parse, "polymarket: market \(id) has fee rate \(String(describing: fees.rate))")
            }
            rate = r
            schedule = r > 0 ? .quadratic : .none
            if let exponent = fees.exponent?.fixed(scale: 1), exponent != 1, r > 0 {
                // The fee query carries no exponent: a market it would misprice is not traded.
                log("polymarket: market \(id) charges fees with exponent \(exponent); announced inactive")
                active = false
            }
        }
        let close = m.endDate.flatMap(WireText.nanoseconds) ?? 0
        return MarketInfo(
            marketID: id, eventID: m.events?.first?.id ?? m.negRiskMarketID ?? "", title: m.question ?? "",
            isActive: active, closeTime: close, resolutionTime: close, tick: tick, minimumOrder: max(1, minimum),
            feeSchedule: schedule, feeMultiplier: rate, yesToken: tokens[0], noToken: tokens[1])
    }

    // MARK: Streaming

    public func openStream(marketIDs: [String], _ sink: VenueSink) throws {
        let assets = marketIDs.compactMap { tokens.markets[$0]?.yesToken }
        // The channel closes a socket whose first frame is not a subscription: no markets, no socket.
        guard !assets.isEmpty else { return }
        try sink.openStream(url: wsURL, headers: [])
        let list = assets.map { "\"\($0)\"" }.joined(separator: ",")
        // initial_dump: a book per asset first, so every (re)connect starts from snapshots.
        try sink.send(frame: "{\"type\":\"market\",\"assets_ids\":[\(list)],\"initial_dump\":true}")
        isStreaming = true
    }

    /// The heartbeat: a text `PING` every `ping_seconds` while the stream is open.
    public func timer(now: Nanoseconds, _ sink: VenueSink) throws {
        guard isStreaming, now - lastPing >= pingInterval else { return }
        lastPing = now
        try sink.send(frame: "PING")
    }

    public func handleStreamFrame(_ frame: UnsafeBufferPointer<UInt8>, receivedAt: Nanoseconds, _ sink: VenueSink)
        throws
    {
        // The heartbeat's answer is plain text, not JSON.
        if frame.count == 4, frame.elementsEqual("PONG".utf8) { return }
        if let events = PolymarketScanner.frame(frame) {
            for event in events {
                switch event {
                case .book(let book):
                    guard let token = tokens.token(UnsafeBufferPointer(rebasing: frame[book.asset])) else { continue }
                    try sink.book(
                        PolymarketBook.snapshot(
                            market: token.market, token: token.outcome, bids: book.bids, asks: book.asks,
                            venueTime: book.venueTime, receivedAt: receivedAt))
                case .changes(let changes, let venueTime):
                    for change in changes {
                        guard let token = tokens.token(UnsafeBufferPointer(rebasing: frame[change.asset])) else {
                            continue
                        }
                        try changed(
                            token, isBid: change.isBid, level: change.level, venueTime: venueTime,
                            receivedAt: receivedAt, sink)
                    }
                }
            }
            return
        }
        try decodedFrame(Array(frame), receivedAt: receivedAt, sink)
    }

    /// A frame the in-place reader refused: decoded, every event type handled.
    private func decodedFrame(_ frame: [UInt8], receivedAt: Nanoseconds, _ sink: VenueSink) throws {
        // Initial dumps come as an array of events, everything else as one.
        let events =
            frame.first(where: { $0 > 0x20 }) == UInt8(ascii: "[")
            ? try decode([MarketChannelEvent].self, frame) : [try decode(MarketChannelEvent.self, frame)]
        for event in events {
            let venueTime = PolymarketBook.milliseconds(event.timestamp)
            switch event.event_type {
            case "book":
                guard let asset = event.asset_id, let token = tokens.token(asset) else { continue }
                try sink.book(
                    PolymarketBook.snapshot(
                        market: token.market, token: token.outcome, bids: try Self.levels(event.bids),
                        asks: try Self.levels(event.asks), venueTime: venueTime, receivedAt: receivedAt))
            case "price_change":
                var changes = (event.price_changes ?? []).map { ($0.asset_id, $0.price, $0.size, $0.side) }
                if let asset = event.asset_id {
                    changes += (event.changes ?? []).map { (asset, $0.price, $0.size, $0.side) }
                }
                for (asset, price, size, side) in changes {
                    guard let token = tokens.token(asset) else { continue }
                    guard side == "BUY" || side == "SELL" else {
                        throw PluginError(.parse, "polymarket: price_change side \"\(side)\"")
                    }
                    try changed(
                        token, isBid: side == "BUY",
                        level: Level(price: try PolymarketBook.price(price), size: try PolymarketBook.shares(size)),
                        venueTime: venueTime, receivedAt: receivedAt, sink)
                }
            case "tick_size_change":
                // The grid moves near 0 and 1; orders at the old tick are refused from now on.
                guard let asset = event.asset_id, let token = tokens.token(asset), let text = event.new_tick_size,
                    var market = tokens.markets[token.market]
                else { continue }
                let tick = try PolymarketBook.price(text)
                guard tick > 0 else { throw PluginError(.parse, "polymarket: new tick size \(text)") }
                market.tick = tick
                tokens.add(market)
                try sink.market(market)
            default:
                // last_trade_price, best_bid_ask, new_market, market_resolved: the books say it.
                continue
            }
        }
    }

    /// One level of a token changed: one bid of the market's (``PolymarketBook/bid``).
    private func changed(
        _ token: PolymarketTokens.Token, isBid: Bool, level: Level, venueTime: Nanoseconds, receivedAt: Nanoseconds,
        _ sink: VenueSink
    ) throws {
        let (side, price) = PolymarketBook.bid(token: token.outcome, isBid: isBid, price: level.price)
        // Polymarket numbers no messages: no sequence, so no gap is seen; a reconnect's initial
        // dump and the host's REST reconciliation put a drifted book right.
        try sink.bidChanged(
            marketID: token.market, side: side, level: Level(price: price, size: level.size), sequence: 0,
            venueTime: venueTime, receiveTime: receivedAt)
    }

    // MARK: Parsing helpers

    static func levels(_ levels: [ClobLevel]?) throws -> [Level] {
        try (levels ?? []).map {
            Level(price: try PolymarketBook.price($0.price), size: try PolymarketBook.shares($0.size))
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw PluginError(.parse, "polymarket: malformed \(type): \(error)")
        }
    }
}
