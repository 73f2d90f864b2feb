import Foundation
import PluginKit
import PolymarketSim
import Testing

@testable import PluginHost

/// The Polymarket simulator's wire protocol, its book hash against the official
/// py-clob-client-v2 package, and the plugin against it in process: discovery across keyset
/// pages, books, the market channel's dump and moves, the books kept equal to the simulator's.
@Suite(.serialized)
struct PolymarketSimulatorTests {
    static let clock: @Sendable () -> Int64 = { 1_770_921_570_954_000_000 }

    /// Five markets in two events, fee-free and fee-charging, ticks 0.01 and 0.001.
    static var scenario: PolymarketScenario {
        func market(_ n: Int, tick: String = "0.01", fee: String? = nil, bids: [[String]], asks: [[String]])
            -> PolymarketScenario.Market
        {
            PolymarketScenario.Market(
                condition_id: "0x" + String(repeating: String(n), count: 64), question: "Market \(n)?",
                yes_token: "1\(n)\(n)0001", no_token: "2\(n)\(n)0002", end_date: "2026-12-31T12:00:00Z", tick: tick,
                fee_rate: fee, bids: bids, asks: asks)
        }
        return PolymarketScenario(
            events: [
                .init(
                    id: "100", title: "Bucket", neg_risk: true,
                    markets: [
                        market(1, fee: "0.04", bids: [["0.30", "100"], ["0.31", "12.5"]], asks: [["0.33", "40"]]),
                        market(2, fee: "0.04", bids: [["0.40", "10"]], asks: [["0.45", "20"], ["0.47", "5"]]),
                        market(3, fee: "0.04", bids: [], asks: [["0.25", "7"]]),
                    ]),
                .init(
                    id: "200", title: "Other",
                    markets: [
                        market(4, tick: "0.001", bids: [["0.001", "10118.15"]], asks: [["0.999", "216.96"]]),
                        market(5, bids: [["0.5", "1"]], asks: []),
                    ]),
            ],
            path: [.init(condition_id: "0x" + String(repeating: "1", count: 64), side: "BUY", price: "0.32", size: "9")]
        )
    }

    func json(_ r: PolymarketSimulator.Response) throws -> Any { try JSONSerialization.jsonObject(with: Data(r.body)) }

    @Test func restSpeaksGammaAndTheClob() throws {
        let sim = try PolymarketSimulator(scenario: Self.scenario, clock: Self.clock)
        // Keyset pages of 2: a cursor on full pages only, JSON-encoded strings inside markets.
        var seen: [String] = []
        var url = "/markets/keyset?limit=2&closed=false"
        while true {
            let r = sim.handle(method: "GET", url: url)
            #expect(r.status == 200)
            let page = try json(r) as! [String: Any]
            let markets = page["markets"] as! [[String: Any]]
            seen += markets.map { $0["conditionId"] as! String }
            let tokens = try JSONDecoder().decode(
                [String].self, from: Data((markets[0]["clobTokenIds"] as! String).utf8))
            #expect(tokens.count == 2)
            guard let cursor = page["next_cursor"] as? String else { break }
            url =
                "/markets/keyset?limit=2&closed=false&after_cursor="
                + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor)
        }
        #expect(seen.count == 5 && Set(seen).count == 5)
        #expect(sim.handle(method: "GET", url: "/markets/keyset?limit=2&offset=2").status == 422)
        #expect(sim.handle(method: "GET", url: "/markets/keyset?limit=101").status == 422)
        #expect(sim.handle(method: "GET", url: "/markets/keyset?after_cursor=bm9wZQ==").status == 422)
        let closed = try json(sim.handle(method: "GET", url: "/markets/keyset?closed=true")) as! [String: Any]
        #expect((closed["markets"] as! [Any]).isEmpty, "every simulated market is open")
        // Books: bids ascending and asks descending (best last); the NO token's is mirrored.
        let yes = try json(sim.handle(method: "GET", url: "/book?token_id=1110001")) as! [String: Any]
        #expect((yes["bids"] as! [[String: String]]).map { $0["price"]! } == ["0.3", "0.31"])
        #expect((yes["asks"] as! [[String: String]]).map { $0["price"]! } == ["0.33"])
        let no = try json(sim.handle(method: "GET", url: "/book?token_id=2110002")) as! [String: Any]
        #expect((no["bids"] as! [[String: String]]).map { $0["price"]! } == ["0.67"])
        #expect((no["asks"] as! [[String: String]]).map { $0["price"]! } == ["0.7", "0.69"])
        #expect(sim.handle(method: "GET", url: "/book?token_id=abc").status == 400)
        let unknown = sim.handle(method: "GET", url: "/book?token_id=42")
        #expect(unknown.status == 404 && unknown.text.contains("No orderbook exists"))
        sim.faults = [.rateLimit, .serverError]
        let limited = sim.handle(method: "GET", url: "/book?token_id=1110001")
        #expect(limited.status == 429 && limited.headers.contains { $0 == ("Retry-After", "1") })
        #expect(sim.handle(method: "GET", url: "/book?token_id=1110001").status == 500)
        #expect(sim.handle(method: "GET", url: "/book?token_id=1110001").status == 200)
    }

    /// The simulator's book hash as py-clob-client-v2 1.2.1 computes it (PyPI, in the test venv),
    /// and the recorded real book's hash reproduced the same way.
    @Test func bookHashesMatchTheOfficialClient() throws {
        let sim = try PolymarketSimulator(scenario: Self.scenario, clock: Self.clock)
        let books = ["1110001", "2220002", "2330002", "1440001", "1550001"].map {
            sim.handle(method: "GET", url: "/book?token_id=\($0)").text
        }
        let real = String(decoding: try PolymarketVenueTests.real("polymarket_clob_book.json"), as: UTF8.self)
        let script = """
            import json, sys
            from py_clob_client_v2.utilities import parse_raw_orderbook_summary, generate_orderbook_summary_hash
            for line in sys.stdin:
                raw = json.loads(line)
                served = raw["hash"]
                print(generate_orderbook_summary_hash(parse_raw_orderbook_summary(raw)) == served, served)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try KalshiVenueTests.pythonVenv())
        p.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let lines = (books + [real]).map { $0.replacingOccurrences(of: "\n", with: "") }.joined(separator: "\n") + "\n"
        input.fileHandleForWriting.write(Data(lines.utf8))
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let verdicts = out.split(separator: "\n")
        #expect(verdicts.count == 6)
        #expect(verdicts.allSatisfy { $0.hasPrefix("True ") }, "\(out)")
    }

    @Test func channelSubscribesDumpsPongsAndClosesOnBadFirstFrames() throws {
        let sim = try PolymarketSimulator(scenario: Self.scenario, clock: Self.clock)
        var bad = PolymarketSimulator.Connection()
        #expect(sim.receive("{\"operation\":\"subscribe\",\"assets_ids\":[\"1110001\"]}", on: &bad).isEmpty)
        #expect(bad.isClosed, "a first frame that is not a subscription closes the socket")
        var c = PolymarketSimulator.Connection()
        #expect(sim.receive("PING", on: &c) == ["PONG"])
        let dump = sim.receive("{\"type\":\"market\",\"assets_ids\":[\"1110001\",\"1220001\",\"77\"]}", on: &c)
        #expect(dump.count == 1)
        let books = try JSONSerialization.jsonObject(with: Data(dump[0].utf8)) as! [[String: Any]]
        #expect(books.map { $0["asset_id"] as! String } == ["1110001", "1220001"])
        #expect(books.allSatisfy { $0["event_type"] as? String == "book" })
        #expect(c.assets == ["1110001", "1220001"])
        let added = sim.receive("{\"operation\":\"subscribe\",\"assets_ids\":[\"1330001\",\"1110001\"]}", on: &c)
        #expect(added.count == 1 && c.assets.count == 3, "only the new asset is dumped")
        #expect(sim.receive("{\"operation\":\"unsubscribe\",\"assets_ids\":[\"1330001\"]}", on: &c).isEmpty)
        #expect(c.assets == ["1110001", "1220001"])
        #expect(
            sim.receive("{\"type\":\"market\",\"assets_ids\":[\"1110001\"],\"initial_dump\":false}", on: &c).isEmpty)
        #expect(sim.receive("not json", on: &c).isEmpty && c.isClosed)
    }

    /// Plugin and simulator in process: every request answered by `sim`, every frame fed back.
    final class Harness {
        let sim: PolymarketSimulator
        let session: VenueSession
        var connection = PolymarketSimulator.Connection()
        /// The books the plugin stated, as the host would hold them: bids by market and side.
        var bids: [String: [Side: [MicroDollars: CentiContracts]]] = [:]
        var markets: [MarketRecord] = []

        init(sim: PolymarketSimulator, session: VenueSession) {
            self.sim = sim
            self.session = session
        }

        func run(_ events: [VenueEvent]) throws {
            var queue = events
            while !queue.isEmpty {
                switch queue.removeFirst() {
                case .request(let r):
                    let answer = sim.handle(method: r.method.name, url: r.url)
                    queue += try session.handle(HTTPResponse(status: answer.status, body: answer.body, tag: r.tag))
                case .streamSend(let text):
                    for frame in sim.receive(text, on: &connection) {
                        queue += try session.handleFrame(Array(frame.utf8), receivedAt: 1)
                    }
                case .market(let m): markets.append(m)
                case .book(let b): apply(b)
                default: break
                }
            }
        }

        func frame(_ text: String) throws { try run(try session.handleFrame(Array(text.utf8), receivedAt: 2)) }

        func apply(_ b: BookUpdate) {
            if b.kind == .snapshot { bids[b.marketID] = [:] }
            for (side, levels) in [(Side.yes, b.yesBids), (.no, b.noBids)] {
                for level in levels {
                    bids[b.marketID, default: [:]][side, default: [:]][level.price] = level.size > 0 ? level.size : nil
                }
            }
        }

        /// What the simulator's own REST book says of `market`, both tokens' bids.
        func served(_ m: MarketRecord) throws -> [Side: [MicroDollars: CentiContracts]] {
            let book =
                try JSONSerialization.jsonObject(
                    with: Data(sim.handle(method: "GET", url: "/book?token_id=\(m.yesToken)").body)) as! [String: Any]
            func side(_ key: String, mirror: Bool) -> [MicroDollars: CentiContracts] {
                var out: [MicroDollars: CentiContracts] = [:]
                for level in book[key] as! [[String: String]] {
                    let p = FixedPoint.parse(level["price"]!, scale: FixedPoint.micros)!
                    out[mirror ? FixedPoint.micros - p : p] = FixedPoint.parse(level["size"]!, scale: FixedPoint.centi)!
                }
                return out
            }
            return [.yes: side("bids", mirror: false), .no: side("asks", mirror: true)]
        }
    }

    func harness(pageSize: Int = 2) throws -> (Sandbox, Harness) {
        let (box, session) = try PolymarketVenueTests().polymarket(config: "page_size = \(pageSize)")
        return (
            box, Harness(sim: try PolymarketSimulator(scenario: Self.scenario, clock: Self.clock), session: session)
        )
    }

    @Test func pluginDiscoversStreamsAndKeepsTheSimulatorsBooks() throws {
        let (box, h) = try harness()
        defer { box.remove() }
        try h.run(try h.session.startDiscovery())
        #expect(h.markets.count == 5, "three keyset pages of 2")
        #expect(
            h.markets.filter { $0.eventID == "100" }.allSatisfy {
                $0.feeSchedule == .quadratic && $0.feeMultiplier == 40_000
            })
        #expect(h.markets.first { $0.marketID.hasPrefix("0x4") }?.tick == 1_000)
        #expect(
            h.markets.allSatisfy { $0.minimumOrder == 500 && $0.yesToken.hasPrefix("1") && $0.noToken.hasPrefix("2") })
        for m in h.markets { try h.run(try h.session.requestBook(marketID: m.marketID)) }
        for m in h.markets { try expectSameBooks(h, m) }
        try h.run(try h.session.openStream(marketIDs: h.markets.map(\.marketID)))
        #expect(h.connection.assets.count == 5)
        // The path, then a seeded walk: 2,000 moves, each fed to the plugin as it is sent.
        try h.frame(try #require(h.sim.nextPathFrame()))
        var rng = SplitMix64(seed: 11)
        var moves = 0
        while moves < 2_000 {
            guard let frame = h.sim.randomMove(on: h.connection, rng: &rng) else { continue }
            try h.frame(frame)
            moves += 1
        }
        for m in h.markets { try expectSameBooks(h, m) }
    }

    /// The plugin's stated bids of `m` are the simulator's book, level for level.
    func expectSameBooks(_ h: Harness, _ m: MarketRecord) throws {
        let served = try h.served(m)
        let held = h.bids[m.marketID] ?? [:]
        #expect((held[.yes] ?? [:]) == served[.yes]!, "\(m.marketID) YES bids")
        #expect((held[.no] ?? [:]) == served[.no]!, "\(m.marketID) NO bids (the YES asks mirrored)")
    }
}
