import CArbPluginAPI
import Foundation
import PluginKit
import PolymarketSim
import Synchronization
import Testing

@testable import PluginHost

/// The Polymarket plugin through the ABI: the real recorded Gamma markets and CLOB books of
/// ../shared/data/real, the in-place reader against the decoder, fees against an independent
/// decimal computation, and the whole market-data flow against the Polymarket simulator.
@Suite(.serialized)
struct PolymarketVenueTests {
    static let realData = repositoryRoot + "/../shared/data/real/"

    /// The loaded plugin, its base URLs pointed at `base`.
    func polymarket(
        config: String = "", base: String = "127.0.0.1:8090", log: @escaping HostRuntime.LogHandler = { _, _, _ in }
    ) throws -> (Sandbox, VenueSession) {
        let box = try Sandbox()
        try box.write(
            "10-polymarket.toml",
            manifest(
                id: "venue.polymarket", kind: "venue", library: "libPolymarketVenue.so",
                config:
                    "gamma_url = \"http://\(base)\"\nclob_url = \"http://\(base)/\"\nws_url = \"ws://\(base)/ws/market\"\n"
                    + config))
        let manager = box.makeManager(log: log)
        let report = manager.reload()
        #expect(report.errors.isEmpty, "\(report.errors)")
        return (box, VenueSession(instance: try #require(manager.pipeline.venues.first)))
    }

    func requests(_ events: [VenueEvent]) -> [HTTPRequest] {
        events.compactMap { if case .request(let r) = $0 { r } else { nil } }
    }

    func books(_ events: [VenueEvent]) -> [BookUpdate] {
        events.compactMap { if case .book(let b) = $0 { b } else { nil } }
    }

    func markets(_ events: [VenueEvent]) -> [MarketRecord] {
        events.compactMap { if case .market(let m) = $0 { m } else { nil } }
    }

    func respond(_ session: VenueSession, to request: HTTPRequest, body: [UInt8], status: Int32 = 200) throws
        -> [VenueEvent]
    {
        try session.handle(HTTPResponse(status: status, body: body, receiveTime: 5, tag: request.tag))
    }

    static func real(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: realData + name)) }

    /// A Gamma keyset page holding `markets` (JSON objects), without a cursor.
    static func page(_ markets: [Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: ["markets": markets]))
    }

    /// A Gamma market naming `condition` and its two tokens, as Gamma writes one.
    static func gammaMarket(_ condition: String, yes: String, no: String, tick: Double = 0.01) -> [String: Any] {
        [
            "conditionId": condition, "question": "Q \(condition.prefix(8))?", "outcomes": "[\"Yes\", \"No\"]",
            "clobTokenIds": "[\"\(yes)\", \"\(no)\"]", "active": true, "closed": false, "acceptingOrders": true,
            "enableOrderBook": true, "orderPriceMinTickSize": tick, "orderMinSize": 5,
        ]
    }

    @Test func realGammaMarketsAreDiscovered() throws {
        let (box, session) = try polymarket(config: "page_size = 50")
        defer { box.remove() }
        let first = try #require(requests(try session.startDiscovery()).first)
        #expect(first.url == "http://127.0.0.1:8090/markets/keyset?limit=50&closed=false")
        #expect(first.rateBucket == "gamma")
        // The GTA VI event's five markets, as Gamma served them: fees 0.05, exponent 1.
        let gta = try JSONSerialization.jsonObject(with: try Self.real("polymarket_gamma_markets_feeschedule.json"))
        var page = try JSONSerialization.jsonObject(with: Data(try Self.page(gta as! [Any]))) as! [String: Any]
        page["next_cursor"] = "MTAw+/="
        let events = try respond(session, to: first, body: Array(try JSONSerialization.data(withJSONObject: page)))
        let found = markets(events)
        #expect(found.count == 5)
        let rihanna = try #require(found.first)
        #expect(rihanna.marketID == "0x1fad72fae204143ff1c3035e99e7c0f65ea8d5cd9bd1070987bd1a3316f772be")
        #expect(rihanna.title == "New Rihanna Album before GTA VI?")
        #expect(rihanna.eventID == "23784")
        #expect(rihanna.yesToken == "98022490269692409998126496127597032490334070080325855126491859374983463996227")
        #expect(rihanna.noToken == "53831553061883006530739877284105938919721408776239639687877978808906551086026")
        #expect(rihanna.tick == 10_000 && rihanna.minimumOrder == 500)
        #expect(rihanna.feeSchedule == .quadratic && rihanna.feeMultiplier == 50_000)
        #expect(rihanna.closeTime == 1_785_499_200_000_000_000, "2026-07-31T12:00:00Z")
        #expect(rihanna.isActive)
        // The next page goes with the cursor, escaped.
        let next = try #require(requests(events).first)
        #expect(next.url == "http://127.0.0.1:8090/markets/keyset?limit=50&closed=false&after_cursor=MTAw%2B%2F%3D")
        // Nested "by date" events: their markets carry rate 0.04.
        let nested =
            try JSONSerialization.jsonObject(with: try Self.real("polymarket_gamma_events_nested_dates.json"))
            as! [[String: Any]]
        let nestedMarkets = nested.flatMap { $0["markets"] as? [Any] ?? [] }
        let second = markets(try respond(session, to: next, body: try Self.page(nestedMarkets)))
        #expect(!second.isEmpty)
        let charged = second.filter { $0.feeSchedule == .quadratic }
        #expect(!charged.isEmpty && charged.allSatisfy { $0.feeMultiplier == 40_000 })
    }

    @Test func marketsWithoutTwoTokensOrWithAnotherFeeExponentAreNotTraded() throws {
        let logged = Mutex<[String]>([])
        let (box, session) = try polymarket(log: { _, _, message in logged.withLock { $0.append(message) } })
        defer { box.remove() }
        let request = try #require(requests(try session.startDiscovery()).first)
        var noBook = Self.gammaMarket("0xaa", yes: "1", no: "2")
        noBook["enableOrderBook"] = false
        var oneToken = Self.gammaMarket("0xbb", yes: "3", no: "4")
        oneToken["clobTokenIds"] = "[\"3\"]"
        var squared = Self.gammaMarket("0xcc", yes: "5", no: "6")
        squared["feesEnabled"] = true
        squared["feeSchedule"] = ["rate": 0.25, "exponent": 2, "takerOnly": true]
        var closed = Self.gammaMarket("0xdd", yes: "7", no: "8")
        closed["closed"] = true
        let found = markets(
            try respond(session, to: request, body: try Self.page([noBook, oneToken, squared, closed])))
        #expect(found.map(\.marketID) == ["0xcc", "0xdd"])
        #expect(found.allSatisfy { !$0.isActive }, "an exponent the fee query cannot carry, and a closed market")
        // A tick that is not a price leaves that market out, named in the log; the rest of the
        // page is announced and the next page asked for.
        let again = try #require(requests(try session.startDiscovery()).first)
        var page =
            try JSONSerialization.jsonObject(
                with: Data(
                    try Self.page([
                        Self.gammaMarket("0xee", yes: "9", no: "10", tick: 2),
                        Self.gammaMarket("0xff", yes: "11", no: "12"),
                    ]))
            ) as! [String: Any]
        page["next_cursor"] = "Mg=="
        let after = try respond(session, to: again, body: Array(try JSONSerialization.data(withJSONObject: page)))
        #expect(markets(after).map(\.marketID) == ["0xff"])
        #expect(requests(after).count == 1, "the next page")
        #expect(
            logged.withLock { $0 }.contains { $0.contains("0xee") && $0.contains("left out") },
            "\(logged.withLock { $0 })")
    }

    /// Discovers one market per (condition, YES token) named, so books can be asked for.
    func discover(_ session: VenueSession, _ markets: [(String, String)]) throws {
        let request = try #require(requests(try session.startDiscovery()).first)
        _ = try respond(
            session, to: request,
            body: try Self.page(
                markets.enumerated().map { Self.gammaMarket($0.element.0, yes: $0.element.1, no: "9\($0.offset)") }))
    }

    /// An independent reading of a recorded book: Foundation's JSON parser, exact decimals.
    static func independentBook(_ object: [String: Any]) -> (yesBids: [Level], noBids: [Level]) {
        func side(_ key: String) -> [(MicroDollars, CentiContracts)] {
            (object[key] as? [[String: String]] ?? []).map { level in
                let size = level["size"]!
                // Shares floored to hundredths: drop any digits past the second decimal.
                var parts = size.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 2 { parts[1] = String((parts[1] + "00").prefix(2)) }
                let centi = FixedPoint.parse(parts.joined(separator: "."), scale: 100)!
                return (FixedPoint.parse(level["price"]!, scale: 1_000_000)!, centi)
            }
        }
        let yes = side("bids").map { Level(price: $0.0, size: $0.1) }.sorted { $0.price > $1.price }
        let no = side("asks").map { Level(price: 1_000_000 - $0.0, size: $0.1) }.sorted { $0.price > $1.price }
        return (yes, no)
    }

    @Test func realRestBookIsStatedAsBothTokensBids() throws {
        let (box, session) = try polymarket()
        defer { box.remove() }
        let data = try Self.real("polymarket_clob_book.json")
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let condition = object["market"] as! String
        let token = object["asset_id"] as! String
        try discover(session, [(condition, token)])
        let request = try #require(requests(try session.requestBook(marketID: condition)).first)
        #expect(request.url == "http://127.0.0.1:8090/book?token_id=\(token)")
        #expect(request.rateBucket == "book")
        let book = try #require(books(try respond(session, to: request, body: Array(data))).first)
        #expect(book.marketID == condition && book.kind == .snapshot)
        #expect(book.yesBids == [Level(price: 1_000, size: 1_011_815)], "0.001 × 10118.15")
        #expect(book.noBids.count == 62)
        let independent = Self.independentBook(object)
        #expect(book.yesBids == independent.yesBids)
        #expect(book.noBids == independent.noBids)
        #expect(book.venueTime == 1_784_958_701_198_000_000)
        // Another token's book for this request is refused, not applied to the wrong market.
        let again = try #require(requests(try session.requestBook(marketID: condition)).first)
        let other = String(decoding: data, as: UTF8.self).replacingOccurrences(of: token, with: "123")
        #expect(throws: PluginCallError.self) { try respond(session, to: again, body: Array(other.utf8)) }
        // An error answer reports a gap for the market (so it is resynced later) and the venue's text.
        let failed = try #require(requests(try session.requestBook(marketID: condition)).first)
        do {
            _ = try respond(
                session, to: failed, body: Array("{\"error\":\"No orderbook exists for the requested token id\"}".utf8),
                status: 404)
            Issue.record("a 404 must surface")
        } catch let error as PluginCallError {
            #expect(error.message == "polymarket HTTP 404: No orderbook exists for the requested token id")
            #expect(
                session.takeEventsOfFailedCall().contains {
                    if case .gap(let m, _) = $0 { m == condition } else { false }
                })
        }
        // A market never discovered has no token to ask for.
        #expect(throws: PluginCallError.self) { try session.requestBook(marketID: "0xunknown") }
    }

    /// `text` with an escape in its `hash` value: the in-place reader refuses it (escapes are
    /// for the decoder), so the same book goes through `JSONDecoder`.
    static func escapingHash(_ text: String) -> String {
        text.replacingOccurrences(of: "\"hash\":\"", with: "\"hash\":\"\\u0061")
            .replacingOccurrences(of: "\"hash\": \"", with: "\"hash\": \"\\u0061")
    }

    @Test func recordedStreamBooksReadInPlaceAsTheDecoderReadsThem() throws {
        let (box, session) = try polymarket()
        defer { box.remove() }
        var lines = try String(decoding: Self.real("polymarket_ws_book_2026-02-12.jsonl"), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        lines.append(String(decoding: try Self.real("polymarket_ws_book_deep.json"), as: UTF8.self))
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        try discover(session, objects.map { ($0["market"] as! String, $0["asset_id"] as! String) })
        for (line, object) in zip(lines, objects) {
            let fast = books(try session.handleFrame(Array(line.utf8), receivedAt: 7))
            let slow = books(try session.handleFrame(Array(Self.escapingHash(line).utf8), receivedAt: 7))
            #expect(fast.count == 1 && fast == slow)
            let independent = Self.independentBook(object)
            #expect(fast.first?.yesBids == independent.yesBids)
            #expect(fast.first?.noBids == independent.noBids)
            #expect(fast.first?.marketID == object["market"] as? String)
        }
        // An initial dump: the same books as one JSON array.
        let dump = "[" + lines.joined(separator: ",") + "]"
        let all = books(try session.handleFrame(Array(dump.utf8), receivedAt: 7))
        #expect(all.count == lines.count)
        #expect(all == books(try session.handleFrame(Array(Self.escapingHash(dump).utf8), receivedAt: 7)))
        // The heartbeat's answer, and events that carry nothing for the books.
        #expect(try session.handleFrame(Array("PONG".utf8), receivedAt: 7).isEmpty)
        let trades = try String(decoding: Self.real("polymarket_ws_last_trade_2026-02-12.jsonl"), as: UTF8.self)
        for line in trades.split(separator: "\n") {
            #expect(try session.handleFrame(Array(line.utf8), receivedAt: 7).isEmpty)
        }
    }

    @Test func priceChangesBecomeBidChangesOnEitherToken() throws {
        let (box, session) = try polymarket()
        defer { box.remove() }
        try discover(session, [("0xm1", "111"), ("0xm2", "222")])
        // NO token of 0xm1 is "90" (see discover): its SELL at 0.40 is a YES bid at 0.60.
        let frame = """
            {"market":"0xm1","price_changes":[\
            {"asset_id":"111","price":"0.55","size":"12.345","side":"BUY","hash":"ab","best_bid":"0.55","best_ask":"0.6"},\
            {"asset_id":"111","price":".61","size":"0","side":"SELL","hash":"cd","best_bid":"0.55","best_ask":"0.62"},\
            {"asset_id":"90","price":"0.40","size":"7","side":"SELL","hash":"ef","best_bid":"0.38","best_ask":"0.4"},\
            {"asset_id":"999","price":"0.5","size":"1","side":"BUY","hash":"00","best_bid":"0.5","best_ask":"0.6"}],\
            "timestamp":"1770921570954","event_type":"price_change"}
            """
        let fast = books(try session.handleFrame(Array(frame.utf8), receivedAt: 9))
        let slow = books(try session.handleFrame(Array(Self.escapingHash(frame).utf8), receivedAt: 9))
        #expect(fast == slow)
        #expect(fast.count == 3, "the unknown token's change is not ours")
        func delta(_ side: Side, _ price: MicroDollars, _ size: CentiContracts) -> BookUpdate {
            var u = BookUpdate(kind: .delta, marketID: "0xm1")
            if side == .yes {
                u.yesBids = [Level(price: price, size: size)]
            } else {
                u.noBids = [Level(price: price, size: size)]
            }
            u.venueTime = 1_770_921_570_954_000_000
            u.receiveTime = 9
            return u
        }
        #expect(fast == [delta(.yes, 550_000, 1_234), delta(.no, 390_000, 0), delta(.yes, 600_000, 700)])
        // The pre-September-2025 shape: one token, its changes.
        let legacy = """
            {"event_type":"price_change","asset_id":"222","market":"0xm2","timestamp":"1","changes":[{"price":"0.3","side":"BUY","size":"5"}]}
            """
        var expected = BookUpdate(kind: .delta, marketID: "0xm2")
        expected.yesBids = [Level(price: 300_000, size: 500)]
        expected.venueTime = 1_000_000
        expected.receiveTime = 9
        #expect(books(try session.handleFrame(Array(legacy.utf8), receivedAt: 9)) == [expected])
        // Malformed: a price outside [0, 1] and an unknown side are errors, never applied.
        for bad in [
            frame.replacingOccurrences(of: "\"0.55\",\"size\"", with: "\"1.55\",\"size\""),
            frame.replacingOccurrences(of: "\"BUY\"", with: "\"HOLD\""),
        ] {
            #expect(throws: PluginCallError.self) { try session.handleFrame(Array(bad.utf8), receivedAt: 9) }
        }
    }

    @Test func tickSizeChangeAnnouncesTheMarketAgain() throws {
        let (box, session) = try polymarket()
        defer { box.remove() }
        try discover(session, [("0xm1", "111")])
        let frame = """
            {"event_type":"tick_size_change","asset_id":"111","market":"0xm1","old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"2"}
            """
        let found = markets(try session.handleFrame(Array(frame.utf8), receivedAt: 3))
        #expect(found.count == 1 && found.first?.tick == 1_000 && found.first?.marketID == "0xm1")
    }

    @Test func streamSubscribesByYesTokenAndPingsOnTheTimer() throws {
        let (box, session) = try polymarket(config: "ping_seconds = 5")
        defer { box.remove() }
        #expect(try session.openStream(marketIDs: ["0xm1"]).isEmpty, "nothing discovered: no socket")
        #expect(try session.timer(now: 100_000_000_000).isEmpty, "no stream, no heartbeat")
        try discover(session, [("0xm1", "111"), ("0xm2", "222")])
        let open = try session.openStream(marketIDs: ["0xm1", "0xm2", "0xgone"])
        #expect(
            open == [
                .streamOpen(url: "ws://127.0.0.1:8090/ws/market", headers: []),
                .streamSend("{\"type\":\"market\",\"assets_ids\":[\"111\",\"222\"],\"initial_dump\":true}"),
            ])
        #expect(try session.timer(now: 100_000_000_000) == [.streamSend("PING")])
        #expect(try session.timer(now: 104_000_000_000).isEmpty, "4 s later: not yet")
        #expect(try session.timer(now: 105_000_000_000) == [.streamSend("PING")])
    }

    func fee(_ venue: PluginInstance, price: Int64, quantity: Int64, rate: Int64, maker: Bool = false) -> Int64 {
        var query = arb_fee_query()
        query.struct_size = UInt32(MemoryLayout<arb_fee_query>.size)
        query.liquidity = maker ? UInt32(ARB_MAKER) : UInt32(ARB_TAKER)
        query.price_micros = price
        query.quantity_centi = quantity
        query.fee_multiplier_ppm = rate
        query.fee_schedule = rate > 0 ? FeeSchedule.quadratic.rawValue : FeeSchedule.none.rawValue
        var out = arb_fee_result()
        out.struct_size = UInt32(MemoryLayout<arb_fee_result>.size)
        #expect(venue.fee(&query, &out) == ARB_OK)
        #expect(out.delivered_centi == quantity, "V2 states the fee in pUSD: every share delivered")
        return out.fee_micros
    }

    @Test func feesAreTheTakersFlooredToFiveDecimals() throws {
        let (box, session) = try polymarket()
        defer { box.remove() }
        let v = session.instance
        #expect(fee(v, price: 500_000, quantity: 10_000, rate: 40_000) == 1_000_000, "100 × 0.04 × 0.25 = $1")
        #expect(fee(v, price: 500_000, quantity: 10_000, rate: 70_000) == 1_750_000, "crypto: 1.75¢ a share at 0.50")
        #expect(fee(v, price: 30_000, quantity: 500, rate: 50_000) == 7_270, "0.007275 floored to 0.00727")
        #expect(fee(v, price: 999_000, quantity: 100, rate: 40_000) == 30, "0.00003996 → 0.00003")
        #expect(fee(v, price: 1_000, quantity: 1, rate: 40_000) == 0, "below $0.00001: nothing")
        #expect(fee(v, price: 500_000, quantity: 10_000, rate: 40_000, maker: true) == 0, "makers never pay")
        #expect(fee(v, price: 500_000, quantity: 10_000, rate: 0) == 0, "geopolitics: fee-free")
        // Against Foundation's Decimal arithmetic, a different path to the same exact value.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let price = Int64(rng.below(1_001)) * 1_000
            let quantity = Int64(1 + rng.below(10_000_000))
            let rate = Int64([0, 30_000, 40_000, 50_000, 70_000, 72_000][Int(rng.below(6))])
            var exact =
                Decimal(quantity) / 100 * Decimal(rate) / 1_000_000 * Decimal(price) / 1_000_000
                * Decimal(1_000_000 - price) / 1_000_000 * 100_000
            var floored = Decimal()
            NSDecimalRound(&floored, &exact, 0, .down)
            let expected = NSDecimalNumber(decimal: floored).int64Value * 10
            #expect(fee(v, price: price, quantity: quantity, rate: rate) == expected, "\(price) \(quantity) \(rate)")
        }
        // Out of range: refused, never a trap.
        var query = arb_fee_query()
        query.struct_size = UInt32(MemoryLayout<arb_fee_query>.size)
        query.price_micros = 500_000
        query.quantity_centi = Int64.max
        query.fee_multiplier_ppm = 40_000
        query.fee_schedule = FeeSchedule.quadratic.rawValue
        var out = arb_fee_result()
        out.struct_size = UInt32(MemoryLayout<arb_fee_result>.size)
        #expect(v.fee(&query, &out) == ARB_ERR_INVALID_ARGUMENT)
    }

    @Test func configErrorsAreRefusedAtLoad() throws {
        for (config, message) in [
            ("page_size = 0", "page_size"), ("ping_seconds = 0", "ping_seconds"), ("colour = \"red\"", "colour"),
            ("ws_url = \"http://x\"", "ws_url"),
        ] {
            let box = try Sandbox()
            defer { box.remove() }
            try box.write(
                "10-polymarket.toml",
                manifest(id: "venue.polymarket", kind: "venue", library: "libPolymarketVenue.so", config: config))
            let report = box.makeManager().reload()
            #expect(report.errors.contains { "\($0)".contains(message) }, "\(config): \(report.errors)")
        }
    }
}
