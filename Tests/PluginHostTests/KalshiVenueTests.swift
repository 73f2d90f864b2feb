import CArbPluginAPI
import Crypto
import Foundation
import PluginKit
import Testing
import _CryptoExtras

@testable import PluginHost

/// The Kalshi plugin through the ABI: fees, the real recorded payloads of ../shared/data/real,
/// discovery paging, the WebSocket book with gaps, orders, and signatures that Python's
/// `cryptography` package verifies.
@Suite(.serialized)
struct KalshiVenueTests {
    static let realData = repositoryRoot + "/../shared/data/real/"

    /// A host with an RSA key granted to venue.kalshi, and the loaded plugin.
    func kalshi(
        config: String = "", base: String = "127.0.0.1:8080", key existingKey: _RSA.Signing.PrivateKey? = nil,
        clock: @escaping HostRuntime.Clock = { 1_703_123_456_789_000_000 }
    ) throws -> (Sandbox, PluginManager, VenueSession, _RSA.Signing.PrivateKey) {
        let box = try Sandbox()
        let key = try existingKey ?? _RSA.Signing.PrivateKey(keySize: .bits2048)
        let keyFile = box.root + "/kalshi.pem"
        try key.pemRepresentation.write(toFile: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        let keys = KeyStore(keys: [
            try KeyStore.loadKey(name: "kalshi-test", path: keyFile, format: .rsaPEM, allowedPlugins: ["venue.kalshi"])
        ])
        try box.write(
            "10-kalshi.toml",
            manifest(
                id: "venue.kalshi", kind: "venue", library: "libKalshiVenue.so",
                config:
                    "rest_url = \"http://\(base)/trade-api/v2\"\nws_url = \"ws://\(base)/trade-api/ws/v2\"\nkey_id = \"a952bcbe-ec3b-4b5b-b8f9-11dae589608c\"\nsigner_key = \"kalshi-test\"\n"
                    + config))
        let manager = PluginManager(
            directory: ManifestDirectory(path: box.pluginsDirectory),
            loader: LibraryLoader(searchPath: [buildDirectory], cacheDirectory: box.stateDirectory + "/cache"),
            runtime: HostRuntime(clock: clock, keys: keys, state: FileStateStore(directory: box.stateDirectory)))
        let report = manager.reload()
        #expect(report.errors.isEmpty, "\(report.errors)")
        return (box, manager, VenueSession(instance: try #require(manager.pipeline.venues.first)), key)
    }

    func fee(
        _ venue: PluginInstance, price: Int64, quantity: Int64, maker: Bool = false, schedule: FeeSchedule = .quadratic,
        multiplier: Int64 = 1_000_000
    ) -> Int64 {
        var query = arb_fee_query()
        query.struct_size = UInt32(MemoryLayout<arb_fee_query>.size)
        query.liquidity = maker ? UInt32(ARB_MAKER) : UInt32(ARB_TAKER)
        query.price_micros = price
        query.quantity_centi = quantity
        query.fee_multiplier_ppm = multiplier
        query.fee_schedule = schedule.rawValue
        var out = arb_fee_result()
        out.struct_size = UInt32(MemoryLayout<arb_fee_result>.size)
        #expect(venue.fee(&query, &out) == ARB_OK)
        return out.fee_micros
    }

    @Test func feesRoundUpToTheCentAsKalshiCharges() throws {
        let (box, _, session, _) = try kalshi()
        defer { box.remove() }
        let v = session.instance
        // The table of quant.md §4.1: ceil(0.07·C·P·(1−P)) to the cent.
        #expect(fee(v, price: 500_000, quantity: 100) == 20_000)  // 1 @ 0.50: 1.75¢ → 2¢
        #expect(fee(v, price: 500_000, quantity: 1_000) == 180_000)  // 10: 17.5¢ → 18¢
        #expect(fee(v, price: 500_000, quantity: 10_000) == 1_750_000)  // 100: $1.75 exactly
        #expect(fee(v, price: 500_000, quantity: 100_000) == 17_500_000)
        #expect(fee(v, price: 50_000, quantity: 10_000) == 340_000)  // 100 @ 0.05: 33.25¢ → 34¢
        #expect(fee(v, price: 50_000, quantity: 100_000) == 3_330_000)  // 1000: $3.325 → $3.33
        #expect(fee(v, price: 990_000, quantity: 10_000) == 70_000)  // 100 @ 0.99: 6.93¢ → 7¢
        #expect(fee(v, price: 500_000, quantity: 400) == 70_000, "0.07·4·0.25 = 7¢ exactly: no extra cent")
        #expect(fee(v, price: 500_000, quantity: 1) == 10_000, "0.01 contract still pays a whole cent")
        // Maker: only on series that charge makers; 0.0175 (0.035 on combo-maker series).
        #expect(fee(v, price: 500_000, quantity: 10_000, maker: true) == 0)
        #expect(fee(v, price: 500_000, quantity: 10_000, maker: true, schedule: .quadraticWithMaker) == 440_000)
        #expect(fee(v, price: 50_000, quantity: 10_000, maker: true, schedule: .quadraticWithMaker) == 90_000)
        #expect(fee(v, price: 500_000, quantity: 10_000, maker: true, schedule: .quadraticComboMaker) == 880_000)
        // Series multiplier 0.5: $0.875 → 88¢.
        #expect(fee(v, price: 500_000, quantity: 10_000, multiplier: 500_000) == 880_000)
        #expect(fee(v, price: 500_000, quantity: 10_000, schedule: .none) == 0)
        box.remove()
        // Direct members: rounded up to $0.0001.
        let (box2, _, direct, _) = try kalshi(config: "fee_rounding = \"direct\"")
        defer { box2.remove() }
        #expect(fee(direct.instance, price: 500_000, quantity: 1_000) == 175_000)
        #expect(fee(direct.instance, price: 500_000, quantity: 1) == 200)
    }

    func requests(_ events: [VenueEvent]) -> [HTTPRequest] {
        events.compactMap { if case .request(let r) = $0 { r } else { nil } }
    }

    func books(_ events: [VenueEvent]) -> [BookUpdate] {
        events.compactMap { if case .book(let b) = $0 { b } else { nil } }
    }

    func respond(
        _ session: VenueSession, to request: HTTPRequest, file: String? = nil, body: String? = nil, status: Int32 = 200
    ) throws -> [VenueEvent] {
        let bytes =
            try file.map { Array(try Data(contentsOf: URL(fileURLWithPath: Self.realData + $0))) }
            ?? Array((body ?? "").utf8)
        return try session.handle(HTTPResponse(status: status, body: bytes, receiveTime: 5, tag: request.tag))
    }

    @Test func realOrderBooksParse() throws {
        let (box, _, session, _) = try kalshi()
        defer { box.remove() }
        let deep = try #require(requests(try session.requestBook(marketID: "KXMLBGAME-26AUG092020HOUSD-SD")).first)
        #expect(deep.url == "http://127.0.0.1:8080/trade-api/v2/markets/KXMLBGAME-26AUG092020HOUSD-SD/orderbook")
        let book = try #require(books(try respond(session, to: deep, file: "kalshi_orderbook_deep.json")).first)
        #expect(book.yesBids.count == 50)
        #expect(book.noBids.count == 46)
        #expect(book.yesBids.first?.price == 530_000, "best YES bid (last element on the wire) comes first")
        #expect(book.noBids.first?.price == 460_000)
        #expect(book.noBids.last == Level(price: 10_000, size: 100_598_700), "1005987.00 contracts")
        // One-sided book: YES side empty, NO best 0.99 × 73,469.
        let smallRequest = try #require(requests(try session.requestBook(marketID: "KXBTCD-26JUL2502-T74299.99")).first)
        let small = try #require(
            books(try respond(session, to: smallRequest, file: "kalshi_orderbook_small.json")).first)
        #expect(small.yesBids.isEmpty)
        #expect(small.noBids.first == Level(price: 990_000, size: 7_346_900))
        // The legacy shape (integer cents) still parses.
        let legacyRequest = try #require(requests(try session.requestBook(marketID: "OLD")).first)
        let legacy = try #require(
            books(
                try respond(session, to: legacyRequest, body: "{\"orderbook\":{\"yes\":[[41,10],[42,13]],\"no\":null}}")
            ).first)
        #expect(legacy.yesBids == [Level(price: 420_000, size: 1_300), Level(price: 410_000, size: 1_000)])
        // The plugin's byte scanner against an independent parse of the same file, every level.
        let data = try Data(contentsOf: URL(fileURLWithPath: sharedData + "/real/kalshi_orderbook_deep.json"))
        let fp = (try JSONSerialization.jsonObject(with: data) as! [String: Any])["orderbook_fp"] as! [String: Any]
        func independent(_ key: String) -> [Level] {
            (fp[key] as! [[String]]).map {
                Level(price: FixedPoint.parse($0[0], scale: 1_000_000)!, size: FixedPoint.parse($0[1], scale: 100)!)
            }.sorted { $0.price > $1.price }
        }
        #expect(book.yesBids == independent("yes_dollars"))
        #expect(book.noBids == independent("no_dollars"))
        // Shapes the fast path does not take still go through the strict decoder: a key order
        // change parses the same; a price finer than a micro-dollar is refused, not rounded.
        let reordered = try #require(requests(try session.requestBook(marketID: "R")).first)
        let r = try #require(
            books(
                try respond(
                    session, to: reordered,
                    body:
                        "{\"ticker\":\"R\",\"orderbook_fp\":{\"no_dollars\":[[\"0.5\",\"2\"]],\"yes_dollars\":[[\"0.4000\",\"1.50\"]]}}"
                )
            )
            .first)
        #expect(r.yesBids == [Level(price: 400_000, size: 150)] && r.noBids == [Level(price: 500_000, size: 200)])
        let fine = try #require(requests(try session.requestBook(marketID: "F")).first)
        #expect(throws: PluginCallError.self) {
            try respond(
                session, to: fine,
                body: "{\"orderbook_fp\":{\"yes_dollars\":[[\"0.4000001\",\"1\"]],\"no_dollars\":[]}}")
        }
        // A count too large for the fixed-point units is an error for that book, never a trap.
        let huge = try #require(requests(try session.requestBook(marketID: "H")).first)
        #expect(throws: PluginCallError.self) {
            try respond(
                session, to: huge,
                body: "{\"orderbook_fp\":{\"yes_dollars\":[[\"0.40\",\"999999999999999999\"]],\"no_dollars\":[]}}")
        }
        // Whole-dollar and short-fraction spellings read exactly on the fast path.
        let short = try #require(requests(try session.requestBook(marketID: "S")).first)
        let s = try #require(
            books(
                try respond(
                    session, to: short,
                    body: "{\"orderbook_fp\":{\"yes_dollars\":[[\"0.4\",\"12\"],[\"0.41\",\"3.5\"]],\"no_dollars\":[]}}"
                )
            ).first)
        #expect(s.yesBids == [Level(price: 410_000, size: 350), Level(price: 400_000, size: 1_200)])
    }

    @Test func discoveryPagesSeriesThenEventsAndDropsCombos() throws {
        let (box, _, session, _) = try kalshi()
        defer { box.remove() }
        let series = try #require(requests(try session.startDiscovery()).first)
        #expect(series.url.hasSuffix("/trade-api/v2/series"))
        let afterSeries = try respond(
            session, to: series,
            body:
                "{\"series\":[{\"ticker\":\"KXNEXTNATOSECGEN\",\"fee_type\":\"quadratic_with_maker_fees\",\"fee_multiplier\":0.5}]}"
        )
        let events = try #require(requests(afterSeries).first)
        #expect(events.url.hasSuffix("/events?status=open&with_nested_markets=true&limit=200"))
        let page = try respond(session, to: events, file: "kalshi_events_nested_mutually_exclusive.json")
        let markets = page.compactMap { if case .market(let m) = $0 { m } else { nil } }
        let nato = markets.filter { $0.eventID == "KXNEXTNATOSECGEN-99" }
        #expect(nato.count == 8)
        #expect(nato.allSatisfy { $0.feeSchedule == .quadraticWithMaker && $0.feeMultiplier == 500_000 })
        #expect(nato.allSatisfy { $0.tick == 10_000 })
        // The next page is asked for with the cursor, escaped.
        let next = try #require(requests(page).first)
        #expect(next.url.contains("&cursor="))
        // Multivariate combo markets are filtered out.
        let combos = try String(contentsOfFile: Self.realData + "kalshi_markets_mve_combos.json", encoding: .utf8)
        let seriesAgain = try #require(requests(try session.startDiscovery()).first)
        let eventsAgain = try #require(requests(try respond(session, to: seriesAgain, body: "{\"series\":[]}")).first)
        let comboPage = try respond(
            session, to: eventsAgain,
            body:
                "{\"events\":[{\"event_ticker\":\"X\",\"series_ticker\":\"S\",\"markets\":\(combos)}],\"cursor\":\"\"}")
        #expect(comboPage.isEmpty, "5 combo markets, none emitted, no next page")
    }

    @Test func streamSnapshotDeltasAndGaps() throws {
        let (box, _, session, _) = try kalshi()
        defer { box.remove() }
        let open = try session.openStream(marketIDs: ["FED-23DEC-T3.00"])
        guard case .streamOpen(let url, let headers) = try #require(open.first) else {
            Issue.record("no stream open"); return
        }
        #expect(url == "ws://127.0.0.1:8080/trade-api/ws/v2")
        #expect(headers.map(\.name) == ["KALSHI-ACCESS-KEY", "KALSHI-ACCESS-TIMESTAMP", "KALSHI-ACCESS-SIGNATURE"])
        guard case .streamSend(let subscribe) = open.last else { Issue.record("no subscribe frame"); return }
        #expect(
            subscribe
                == "{\"id\":2,\"cmd\":\"subscribe\",\"params\":{\"channels\":[\"orderbook_delta\"],\"market_tickers\":[\"FED-23DEC-T3.00\"],\"use_yes_price\":false}}",
            "command 1 subscribed the private fill and user_orders channels"
        )
        func frame(_ text: String) throws -> [VenueEvent] { try session.handleFrame(Array(text.utf8), receivedAt: 9) }
        #expect(
            try frame("{\"id\":1,\"type\":\"subscribed\",\"msg\":{\"channel\":\"orderbook_delta\",\"sid\":2}}").isEmpty)
        let snapshot = try #require(
            books(
                try frame(
                    "{\"type\":\"orderbook_snapshot\",\"sid\":2,\"seq\":2,\"msg\":{\"market_ticker\":\"FED-23DEC-T3.00\",\"market_id\":\"x\",\"yes_dollars_fp\":[[\"0.0800\",\"300.00\"],[\"0.2200\",\"333.00\"]],\"no_dollars_fp\":[[\"0.5400\",\"20.00\"],[\"0.5600\",\"146.00\"]]}}"
                )
            ).first)
        #expect(snapshot.yesBids.first == Level(price: 220_000, size: 33_300))
        #expect(snapshot.streamID == 2 && snapshot.venueSequence == 2)
        // A signed change becomes the level's new size: 333 − 54 = 279.
        let delta = try #require(
            books(
                try frame(
                    "{\"type\":\"orderbook_delta\",\"sid\":2,\"seq\":3,\"msg\":{\"market_ticker\":\"FED-23DEC-T3.00\",\"price_dollars\":\"0.2200\",\"delta_fp\":\"-54.00\",\"side\":\"yes\",\"ts_ms\":1669149841000}}"
                )
            ).first)
        #expect(delta.kind == .delta)
        #expect(delta.yesBids == [Level(price: 220_000, size: 27_900)])
        #expect(delta.venueTime == 1_669_149_841_000_000_000)
        // Removing more than is there leaves 0: the level is gone.
        let removed = try #require(
            books(
                try frame(
                    "{\"type\":\"orderbook_delta\",\"sid\":2,\"seq\":4,\"msg\":{\"market_ticker\":\"FED-23DEC-T3.00\",\"price_dollars\":\"0.5600\",\"delta_fp\":\"-999.00\",\"side\":\"no\"}}"
                )
            ).first)
        #expect(removed.noBids == [Level(price: 560_000, size: 0)])
        // seq 6 after 4: every book of sid 2 is untrustworthy; the delta itself is then unusable.
        let gap = try frame(
            "{\"type\":\"orderbook_delta\",\"sid\":2,\"seq\":6,\"msg\":{\"market_ticker\":\"FED-23DEC-T3.00\",\"price_dollars\":\"0.2200\",\"delta_fp\":\"5.00\",\"side\":\"yes\"}}"
        )
        #expect(gap.first == .gap(marketID: "FED-23DEC-T3.00", reason: "sid 2: seq 6 after 4"))
        #expect(books(gap).isEmpty)
        #expect(gap.last == .gap(marketID: "FED-23DEC-T3.00", reason: "delta before snapshot on sid 2"))
        #expect(throws: PluginCallError.self) {
            try frame("{\"id\":7,\"type\":\"error\",\"msg\":{\"code\":25,\"msg\":\"subscription buffer overflow\"}}")
        }
        // The real ticker and trade captures are recognised and ignored by the book.
        for line in try String(contentsOfFile: Self.realData + "kalshi_ws_ticker_2026-02-12.jsonl", encoding: .utf8)
            .split(separator: "\n")
        {
            #expect(try frame(String(line)).isEmpty)
        }
    }

    /// Delta frames the byte scanner reads give the events the decoder's path gives for the same
    /// delta: two sessions, one fed each delta as Kalshi writes it (keys in any order, extra
    /// plain fields, legacy fields beside the current ones), the other the same delta with an
    /// escape in a field nobody reads, which the scanner refuses. Malformed variants fail or
    /// are refused the same way on both paths.
    @Test func deltaFramesReadInPlaceAsTheDecoderReadsThem() throws {
        let (boxA, _, scanned, _) = try kalshi()
        defer { boxA.remove() }
        let (boxB, _, decoded, _) = try kalshi()
        defer { boxB.remove() }
        let ticker = "KXHIGHNY-26DEC05-T45.5"
        let snapshot =
            "{\"type\":\"orderbook_snapshot\",\"sid\":4,\"seq\":1,\"msg\":{\"market_ticker\":\"\(ticker)\",\"yes_dollars_fp\":[[\"0.4000\",\"50.00\"]],\"no_dollars_fp\":[[\"0.5000\",\"20.00\"]]}}"
        for session in [scanned, decoded] { _ = try session.handleFrame(Array(snapshot.utf8), receivedAt: 1) }
        var rng = SplitMix64(seed: 45)
        var seq: UInt64 = 1
        for step in 0..<400 {
            seq += rng.below(40) == 0 ? 2 : 1  // now and then a gap
            let price = String(format: "0.%02d%@", 1 + rng.below(98), rng.below(2) == 0 ? "00" : "")
            let change = "\(rng.below(2) == 0 ? "-" : "")\(rng.below(500)).\(rng.below(10))0"
            var fields = [
                "\"market_ticker\":\"\(ticker)\"", "\"price_dollars\":\"\(price)\"", "\"delta_fp\":\"\(change)\"",
                "\"side\":\"\(rng.below(2) == 0 ? "yes" : "no")\"",
            ]
            if rng.below(2) == 0 { fields.append("\"ts_ms\":\(1_669_149_841_000 + rng.below(1_000_000))") }
            if rng.below(3) == 0 { fields.append("\"market_id\":\"9f1c-\(step)\"") }
            if rng.below(4) == 0 { fields.append("\"client_order_id\":\"mine-\(step)\",\"subaccount\":0") }
            if rng.below(4) == 0 { fields.append("\"price\":17,\"delta\":-3") }  // legacy beside current: ignored
            if rng.below(5) == 0 { fields.append("\"ts\":\"2026-12-05T13:00:00Z\"") }
            for i in fields.indices.reversed() { fields.swapAt(i, Int(rng.below(UInt64(i + 1)))) }
            let msg = "{" + fields.joined(separator: ",") + "}"
            var envelope = ["\"type\":\"orderbook_delta\"", "\"sid\":4", "\"seq\":\(seq)", "\"msg\":\(msg)"]
            for i in envelope.indices.reversed() { envelope.swapAt(i, Int(rng.below(UInt64(i + 1)))) }
            let plain = "{" + envelope.joined(separator: ",") + "}"
            // The same frame with an escape where nothing reads it: the decoder's path.
            let escaped = "{\"note\":\"a\\/b\"," + plain.dropFirst()
            let a = try scanned.handleFrame(Array(plain.utf8), receivedAt: Int64(step))
            let b = try decoded.handleFrame(Array(escaped.utf8), receivedAt: Int64(step))
            #expect(a == b, "\(plain)")
            #expect(!a.isEmpty, "every delta reports something: a book change or a gap")
        }
        // Malformed: the same verdict either way (a refused value fails the call on both paths).
        for bad in [
            "{\"type\":\"orderbook_delta\",\"sid\":4,\"seq\":999,\"msg\":{\"market_ticker\":\"\(ticker)\",\"price_dollars\":\"x\",\"delta_fp\":\"1.00\",\"side\":\"yes\"}}",
            "{\"type\":\"orderbook_delta\",\"sid\":4,\"seq\":1000,\"msg\":{\"market_ticker\":\"\(ticker)\",\"price_dollars\":\"0.40\",\"delta_fp\":\"1.00\",\"side\":\"yes\",\"subaccount\":abc}}",
        ] {
            #expect(throws: PluginCallError.self) { try scanned.handleFrame(Array(bad.utf8), receivedAt: 0) }
            #expect(throws: PluginCallError.self) {
                try decoded.handleFrame(Array(("{\"note\":\"a\\/b\"," + bad.dropFirst()).utf8), receivedAt: 0)
            }
        }
    }

    @Test func ordersMapToTheV2YesBook() throws {
        let (box, manager, session, _) = try kalshi()
        defer { box.remove() }
        _ = manager
        // Buying NO at 0.47 is an ask on the YES book at 0.53.
        var intent = arb_order_intent()
        intent.struct_size = UInt32(MemoryLayout<arb_order_intent>.size)
        intent.side = UInt32(ARB_SIDE_NO)
        intent.action = UInt32(ARB_ACTION_BUY)
        intent.time_in_force = UInt32(ARB_TIF_IOC)
        intent.limit_price_micros = 470_000
        intent.quantity_centi = 1_250
        let place = try "KXTEST-1".withCString { market in
            try "arb-0001".withCString { client in
                intent.market_id = arb_str(data: market, len: 8)
                intent.client_order_id = arb_str(data: client, len: 8)
                return try session.place(&intent)
            }
        }
        let post = try #require(requests(place).first)
        #expect(post.method == .post)
        #expect(post.url.hasSuffix("/trade-api/v2/portfolio/events/orders"))
        #expect(post.rateBucket == "write" && post.rateCost == 10 && post.isIdempotent)
        #expect(
            String(decoding: post.body, as: UTF8.self)
                == "{\"client_order_id\":\"arb-0001\",\"count\":\"12.5\",\"price\":\"0.53\",\"self_trade_prevention_type\":\"taker_at_cross\",\"side\":\"ask\",\"ticker\":\"KXTEST-1\",\"time_in_force\":\"immediate_or_cancel\"}"
        )
        // A zero-fill IOC ack reads as cancelled, never as filled.
        let ack = try respond(
            session, to: post,
            body:
                "{\"order_id\":\"o-1\",\"client_order_id\":\"arb-0001\",\"fill_count\":\"0.00\",\"remaining_count\":\"0.00\",\"ts_ms\":1}",
            status: 201)
        guard case .order(let report) = try #require(ack.first) else { Issue.record("no order report"); return }
        #expect(report.state == .canceled && report.filled == 0)
        // 429's body is a bare string.
        let again = try "KXTEST-1".withCString { market in
            try "arb-0002".withCString { client in
                intent.market_id = arb_str(data: market, len: 8)
                intent.client_order_id = arb_str(data: client, len: 8)
                return try session.place(&intent)
            }
        }
        let limited = try #require(requests(again).first)
        do {
            _ = try respond(session, to: limited, body: "{\"error\":\"too many requests\"}", status: 429)
            Issue.record("429 must be an error")
        } catch let error as PluginCallError {
            #expect(error.status == ARB_ERR_RATE_LIMITED)
            #expect(error.message == "kalshi HTTP 429: too many requests")
        }
    }

    /// Creates (once) a venv with the independent implementations from PyPI (`cryptography`,
    /// Polymarket's `py-clob-client-v2`) and returns its python. `make test` makes it first.
    static func pythonVenv() throws -> String {
        let venv = repositoryRoot + "/.build/pyvenv"
        let python = venv + "/bin/python"
        if !FileManager.default.fileExists(atPath: python + ".v2.ok") {
            for command in [
                ["python3", "-m", "venv", venv],
                [venv + "/bin/pip", "install", "-q", "cryptography", "py-clob-client-v2==1.2.1"],
            ] {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = command
                try p.run()
                p.waitUntilExit()
                try #require(p.terminationStatus == 0, "\(command.joined(separator: " ")) failed")
            }
            FileManager.default.createFile(atPath: python + ".v2.ok", contents: nil)
        }
        return python
    }

    @Test func signaturesVerifyWithPythonCryptography() throws {
        let (box, _, session, key) = try kalshi()
        defer { box.remove() }
        let request = try #require(requests(try session.requestBook(marketID: "KXBTCD-26JUL2502-T74299.99")).first)
        let headers = Dictionary(uniqueKeysWithValues: request.headers.map { ($0.name, $0.value) })
        #expect(headers["KALSHI-ACCESS-KEY"] == "a952bcbe-ec3b-4b5b-b8f9-11dae589608c")
        #expect(headers["KALSHI-ACCESS-TIMESTAMP"] == "1703123456789")
        let stream = try session.openStream(marketIDs: [])
        #expect(stream.count == 2, "the upgrade and the private channels' subscribe; no markets, no book subscribe")
        // What Kalshi verifies: timestamp + METHOD + path without the query.
        let message = "1703123456789GET/trade-api/v2/markets/KXBTCD-26JUL2502-T74299.99/orderbook"
        try key.publicKey.pemRepresentation.write(toFile: box.root + "/pub.pem", atomically: true, encoding: .utf8)
        let script = """
            import base64, sys
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding
            key = serialization.load_pem_public_key(open(sys.argv[1], 'rb').read())
            key.verify(base64.b64decode(sys.argv[3]), sys.argv[2].encode(),
                       padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
            print('verified')
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try Self.pythonVenv())
        p.arguments = ["-c", script, box.root + "/pub.pem", message, try #require(headers["KALSHI-ACCESS-SIGNATURE"])]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "verified\n")
    }
}
