import CArbPluginAPI
import Crypto
import Foundation
import KalshiSim
import PluginKit
import Testing
import _CryptoExtras

@testable import PluginHost

/// The Kalshi plugin end to end against the Kalshi simulator: every request the plugin builds
/// goes to the simulator, which checks paths, shapes and signatures as Kalshi does.
@Suite(.serialized)
struct KalshiSimulatorTests {
    static let scenario = KalshiScenario(
        cash: "1000.00",
        series: [.init(ticker: "KXSIM", fee_type: "quadratic", fee_multiplier: 1)],
        events: (1...3).map { e in
            .init(
                event_ticker: "KXSIM-\(e)", series_ticker: "KXSIM", title: "Event \(e)", mutually_exclusive: false,
                markets: [
                    .init(
                        ticker: "KXSIM-\(e)-A", title: "A", close_time: "2026-12-31T00:00:00Z",
                        yes_bids: [["0.40", "5"], ["0.45", "10"]], no_bids: [["0.50", "4"], ["0.52", "6"]])
                ])
        })

    let clock: @Sendable () -> Int64 = { 1_764_000_000_000_000_000 }

    /// The plugin (via KalshiVenueTests' host) and a simulator that knows its public key.
    func setUp(pageSize: Int = 2) throws -> (Sandbox, VenueSession, KalshiSimulator) {
        let (box, _, session, key) = try KalshiVenueTests().kalshi(config: "page_size = \(pageSize)")
        let simulator = try KalshiSimulator(
            scenario: Self.scenario, publicKeys: ["a952bcbe-ec3b-4b5b-b8f9-11dae589608c": key.publicKey],
            clock: { 1_703_123_456_789_000_000 })
        return (box, session, simulator)
    }

    /// Performs every request in `events` against the simulator, recursively; returns the rest.
    func drain(_ events: [VenueEvent], _ session: VenueSession, _ sim: KalshiSimulator) throws -> [VenueEvent] {
        var out: [VenueEvent] = []
        var queue = events
        while !queue.isEmpty {
            let event = queue.removeFirst()
            guard case .request(let r) = event else {
                out.append(event)
                continue
            }
            let method = r.method.name
            let response = sim.handle(
                method: method, url: r.url,
                headers: Dictionary(r.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                body: r.body)
            queue += try session.handle(
                HTTPResponse(status: response.status, body: response.body, receiveTime: 1, tag: r.tag))
        }
        return out
    }

    /// The driver's sessions reach the engine through routes the driver owns, unretained: a
    /// session kept past its driver has them taken away, so it returns its updates as events
    /// instead of calling into freed memory.
    @Test func aSessionKeptPastItsDriverNoLongerReachesIt() throws {
        let (box, manager, _, _) = try KalshiVenueTests().kalshi()
        defer { box.remove() }
        var driver: VenueDriver? = VenueDriver(
            engine: Engine(manager: manager, universe: Universe()), venues: manager.pipeline.venues
        ) { _, _, _ in nil }
        let session = try #require(driver?.sessions.values.first)
        #expect(session.streamBids != nil && session.streamBooks != nil)
        driver = nil
        #expect(session.streamBids == nil && session.streamBooks == nil)
    }

    @Test func discoveryAndBooksAgainstTheSimulator() throws {
        let (box, session, sim) = try setUp()
        defer { box.remove() }
        let found = try drain(try session.startDiscovery(), session, sim)
        let markets = found.compactMap { if case .market(let m) = $0 { m } else { nil } }
        #expect(markets.map(\.marketID) == ["KXSIM-1-A", "KXSIM-2-A", "KXSIM-3-A"], "three events over two pages of 2")
        #expect(sim.requestLog.filter { $0.hasPrefix("GET /trade-api/v2/events") }.count == 2)
        let book = try drain(try session.requestBook(marketID: "KXSIM-2-A"), session, sim)
        guard case .book(let update) = try #require(book.first) else { Issue.record("no book"); return }
        #expect(update.yesBids == [Level(price: 450_000, size: 1_000), Level(price: 400_000, size: 500)])
        #expect(update.noBids.first == Level(price: 520_000, size: 600))
    }

    func place(_ session: VenueSession, side: UInt32, price: Int64, quantity: Int64, tif: UInt32, client: String) throws
        -> [VenueEvent]
    {
        var intent = arb_order_intent()
        intent.struct_size = UInt32(MemoryLayout<arb_order_intent>.size)
        intent.side = side
        intent.action = UInt32(ARB_ACTION_BUY)
        intent.time_in_force = tif
        intent.limit_price_micros = price
        intent.quantity_centi = quantity
        return try "KXSIM-1-A".withCString { market in
            try client.withCString { c in
                intent.market_id = arb_str(data: market, len: 9)
                intent.client_order_id = arb_str(data: c, len: client.utf8.count)
                return try session.place(&intent)
            }
        }
    }

    func report(_ events: [VenueEvent]) throws -> OrderReport {
        guard case .order(let r) = try #require(events.first) else {
            throw KalshiSimulatorError(description: "no report")
        }
        return r
    }

    @Test func ordersFillRestCancelAndNeverDoublePlace() throws {
        let (box, session, sim) = try setUp()
        defer { box.remove() }
        // Buy 8 YES at ≤ 0.50: NO bids 0.52×6 and 0.50×4 are YES asks 0.48 and 0.50 ⇒ 6 @ 0.48 + 2 @ 0.50.
        let ioc = try report(
            try drain(
                try place(
                    session, side: UInt32(ARB_SIDE_YES), price: 500_000, quantity: 800, tif: UInt32(ARB_TIF_IOC),
                    client: "arb-1"), session, sim))
        #expect(ioc.state == .filled)
        #expect(ioc.filled == 800)
        #expect(ioc.averagePrice == 485_000)  // (6·0.48 + 2·0.50)/8
        // Fee ⌈0.07·(6·0.48·0.52 + 2·0.25)⌉ = ⌈0.139832⌉ = 14¢, reported per contract (1.75¢) × 8.
        #expect(ioc.fees == 140_000)
        // The same client order id again is refused by the venue, never placed twice.
        do {
            _ = try drain(
                try place(
                    session, side: UInt32(ARB_SIDE_YES), price: 500_000, quantity: 100, tif: UInt32(ARB_TIF_IOC),
                    client: "arb-1"), session, sim)
            Issue.record("a duplicate client order id must fail")
        } catch let error as PluginCallError {
            #expect(error.status == ARB_ERR_VENUE)
            #expect(error.message.contains("order_already_exists"))
        }
        // GTC buy of 3 NO at 0.30 (an ask at YES 0.70): nothing crosses, it rests.
        let resting = try report(
            try drain(
                try place(
                    session, side: UInt32(ARB_SIDE_NO), price: 300_000, quantity: 300, tif: UInt32(ARB_TIF_GTC),
                    client: "arb-2"), session, sim))
        #expect(resting.state == .resting)
        #expect(resting.remaining == 300)
        let queried = try report(
            try drain(try session.queryOrder(clientOrderID: "", venueOrderID: resting.venueOrderID), session, sim))
        #expect(queried.state == .resting && queried.marketID == "KXSIM-1-A")
        let cancelled = try report(
            try drain(try session.cancel(marketID: "KXSIM-1-A", venueOrderID: resting.venueOrderID), session, sim))
        #expect(cancelled.state == .canceled)
        // Reconciliation: the balance and the two executions of the first order, fee on the last one.
        let accountRequests = try session.requestAccount()
        let account = try drain(accountRequests, session, sim)
        let fills = account.compactMap { if case .fill(let f) = $0 { f } else { nil } }
        #expect(fills.count == 2)
        #expect(Set(fills.map(\.price)) == [480_000, 500_000])
        #expect(fills.allSatisfy { $0.side == .yes && $0.venueOrderID == ioc.venueOrderID })
        #expect(fills.map(\.fee).reduce(0, +) == 140_000)
        #expect(Set(fills.map(\.fillID)).count == 2, "fill ids are unique: the host dedupes on them")
        let positions = account.compactMap {
            if case .position(let m, let c, let cost, _, let fees) = $0 { (m, c, cost, fees) } else { nil }
        }
        #expect(positions.count == 1)
        #expect(positions.first?.0 == "KXSIM-1-A" && positions.first?.1 == 800, "+8 YES")
        #expect(positions.first?.2 == 3_880_000 && positions.first?.3 == 140_000)
        // An order known only by its client id (its answer lost) is found in the order list.
        let lost = try report(try drain(try session.queryOrder(clientOrderID: "arb-1", venueOrderID: ""), session, sim))
        #expect(lost.venueOrderID == ioc.venueOrderID && lost.state == .filled)
        let never = try report(
            try drain(try session.queryOrder(clientOrderID: "never-sent", venueOrderID: ""), session, sim))
        #expect(never.state == .unknown, "not found is unknown, never 'not placed'")
        guard case .balance(let cash, _) = try #require(account.first) else { Issue.record("no balance"); return }
        #expect(cash == 1_000_000_000 - 3_880_000 - 140_000, "$1000 − (6·0.48 + 2·0.50) − 14¢")
        // A zero-fill IOC reads as cancelled, not filled.
        let nothing = try report(
            try drain(
                try place(
                    session, side: UInt32(ARB_SIDE_YES), price: 100_000, quantity: 100, tif: UInt32(ARB_TIF_IOC),
                    client: "arb-3"), session, sim))
        #expect(nothing.state == .canceled && nothing.filled == 0)
    }

    @Test func faultsAndBadSignatures() throws {
        let (box, session, sim) = try setUp()
        defer { box.remove() }
        sim.faults = [.rateLimit]
        #expect(throws: PluginCallError.self) {
            try drain(try session.requestBook(marketID: "KXSIM-1-A"), session, sim)
        }
        // A timestamp far from the exchange's clock is refused.
        sim.maxSkewMilliseconds = -1
        do {
            _ = try drain(try session.requestBook(marketID: "KXSIM-1-A"), session, sim)
            Issue.record("skewed request must fail")
        } catch let error as PluginCallError {
            #expect(error.status == ARB_ERR_AUTH)
            #expect(error.message.contains("timestamp outside the allowed skew"))
        }
        // A signature made with another key is refused.
        let other = try KalshiSimulator(
            scenario: Self.scenario,
            publicKeys: [
                "a952bcbe-ec3b-4b5b-b8f9-11dae589608c": try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey
            ],
            clock: { 1_703_123_456_789_000_000 })
        do {
            _ = try drain(try session.requestBook(marketID: "KXSIM-1-A"), session, other)
            Issue.record("foreign signature must fail")
        } catch let error as PluginCallError {
            #expect(error.message.contains("invalid signature"))
        }
    }

    @Test func simulatorAcceptsSignaturesMadeByPython() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try key.pemRepresentation.write(toFile: box.root + "/k.pem", atomically: true, encoding: .utf8)
        let script = """
            import base64, sys
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding
            k = serialization.load_pem_private_key(open(sys.argv[1], 'rb').read(), None)
            sig = k.sign(sys.argv[2].encode(), padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
            print(base64.b64encode(sig).decode())
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try KalshiVenueTests.pythonVenv())
        p.arguments = ["-c", script, box.root + "/k.pem", "1703123456789GET/trade-api/v2/portfolio/balance"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let signature = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let sim = try KalshiSimulator(
            scenario: Self.scenario, publicKeys: ["py": key.publicKey], clock: { 1_703_123_456_789_000_000 })
        let headers = [
            "KALSHI-ACCESS-KEY": "py", "KALSHI-ACCESS-TIMESTAMP": "1703123456789", "KALSHI-ACCESS-SIGNATURE": signature,
        ]
        let ok = sim.handle(method: "GET", url: "/trade-api/v2/portfolio/balance", headers: headers, body: [])
        #expect(ok.status == 200)
        #expect(ok.text.contains("\"balance_dollars\":\"1000.0000\""))
        // The same signature on another path is refused.
        let wrongPath = sim.handle(method: "GET", url: "/trade-api/v2/portfolio/orders/x", headers: headers, body: [])
        #expect(wrongPath.status == 401)
    }

    @Test func streamThroughTheSimulatorWithAnInjectedGap() throws {
        let (box, session, sim) = try setUp()
        defer { box.remove() }
        let open = try session.openStream(marketIDs: ["KXSIM-1-A"])
        guard case .streamSend(let subscribe) = try #require(open.last) else { Issue.record("no subscribe"); return }
        var received: [VenueEvent] = []
        let opening = sim.receive(subscribe)
        for frame in opening { received += try session.handleFrame(Array(frame.utf8), receivedAt: 1) }
        guard case .book(let snapshot) = try #require(received.first) else { Issue.record("no snapshot"); return }
        #expect(snapshot.kind == .snapshot && snapshot.yesBids.first == Level(price: 450_000, size: 1_000))
        // Read as the driver reads frames: a book the plugin reports first goes straight to
        // `streamBooks`; one reported after another event waits behind it, so the order stays.
        var direct: [BookUpdate] = []
        var times: [Int64] = []
        session.streamBooks = { update, time in
            direct.append(update)
            times.append(time)
        }
        defer { session.streamBooks = nil }
        let delta = try session.handleFrame(
            Array(sim.changeBid(ticker: "KXSIM-1-A", side: "yes", price: 450_000, change: -400).utf8), receivedAt: 2)
        #expect(delta.isEmpty)
        #expect(direct.map(\.yesBids) == [[Level(price: 450_000, size: 600)]])
        #expect(times == [2], "at the frame's receive time")
        // With `streamBids` set as well (the driver sets both), a delta of one bid level goes
        // there instead, read in place from the plugin's update: no `BookUpdate` is made of it.
        final class Bids: BidChangeReceiver {
            var received: [(marketID: String, side: Side, level: Level, time: Int64)] = []
            override func receive(_ change: BidChange, at time: Nanoseconds) {
                received.append((String(decoding: change.marketID, as: UTF8.self), change.side, change.level, time))
            }
        }
        let receiver = Bids()
        session.streamBids = Unmanaged.passUnretained(receiver)
        defer { session.streamBids = nil }
        let bid = try session.handleFrame(
            Array(sim.changeBid(ticker: "KXSIM-1-A", side: "no", price: 520_000, change: 100).utf8), receivedAt: 3)
        let bids = withExtendedLifetime(receiver) { receiver.received }
        #expect(bid.isEmpty && direct.count == 1)
        #expect(bids.count == 1 && bids.first?.marketID == "KXSIM-1-A" && bids.first?.side == .no)
        #expect(bids.first?.level.price == 520_000 && bids.first?.time == 3)
        // The subscription's snapshot again, its sequence jumped: the gap first, then the book.
        let snapshotFrame = try #require(opening.first { $0.contains("orderbook_snapshot") })
        let jumped = snapshotFrame.replacingOccurrences(of: "\"seq\":1,", with: "\"seq\":9,")
        #expect(jumped != snapshotFrame)
        direct = []
        receiver.received = []
        let resent = try session.handleFrame(Array(jumped.utf8), receivedAt: 3)
        #expect(direct.isEmpty && receiver.received.isEmpty, "the book came after the gap, so it waits behind it")
        #expect(resent.first == .gap(marketID: "KXSIM-1-A", reason: "sid 1: seq 9 after 3"))
        guard resent.count == 2, case .book(let again) = resent[1] else {
            Issue.record("no book after the gap: \(resent)")
            return
        }
        #expect(again.kind == .snapshot && again.venueSequence == 9)
        sim.faults = [.sequenceGap]
        let gap = try session.handleFrame(
            Array(sim.changeBid(ticker: "KXSIM-1-A", side: "no", price: 520_000, change: 100).utf8), receivedAt: 4)
        #expect(
            gap.first == .gap(marketID: "KXSIM-1-A", reason: "sid 1: seq 5 after 9"),
            "the simulator's 4 lost, its 5 arrives after the resent 9: a sequence that goes back is a gap too")
    }

    /// The private channels: a signed plugin subscribes to `fill` and `user_orders`; an order's
    /// executions arrive as `fill` messages, its state as `user_order`, and the levels it took or
    /// rested as `orderbook_delta`s naming the order, so the stream-built book stays the venue's.
    @Test func ordersReachTheStreamAsFillsOrderUpdatesAndBookDeltas() throws {
        let (box, session, sim) = try setUp()
        defer { box.remove() }
        let open = try session.openStream(marketIDs: ["KXSIM-1-A"])
        let sends = open.compactMap { if case .streamSend(let text) = $0 { text } else { nil } }
        #expect(sends.count == 2)
        #expect(sends.first == "{\"id\":1,\"cmd\":\"subscribe\",\"params\":{\"channels\":[\"fill\",\"user_orders\"]}}")
        for text in sends {
            for frame in sim.receive(text) { _ = try session.handleFrame(Array(frame.utf8), receivedAt: 1) }
        }
        // Buy 8 YES at ≤ 0.50 (IOC): 6 @ 0.48 and 2 @ 0.50 from the NO bids 0.52 and 0.50.
        let ack = try report(
            try drain(
                try place(
                    session, side: UInt32(ARB_SIDE_YES), price: 500_000, quantity: 800, tif: UInt32(ARB_TIF_IOC),
                    client: "arb-ws-1"), session, sim))
        var pushed: [VenueEvent] = []
        for frame in sim.takeStreamFrames() { pushed += try session.handleFrame(Array(frame.utf8), receivedAt: 2) }
        let deltas = pushed.compactMap { if case .book(let b) = $0 { b } else { nil } }
        #expect(deltas.map(\.noBids) == [[Level(price: 520_000, size: 0)], [Level(price: 500_000, size: 200)]])
        let fills = pushed.compactMap { if case .fill(let f) = $0 { f } else { nil } }
        #expect(fills.map(\.price) == [480_000, 500_000] && fills.map(\.quantity) == [600, 200])
        #expect(fills.allSatisfy { $0.side == .yes && $0.venueOrderID == ack.venueOrderID && $0.venueTime > 0 })
        #expect(fills.map(\.fee).reduce(0, +) == 140_000, "the order's 14¢ fee, as REST reports it")
        let orders = pushed.compactMap { if case .order(let o) = $0 { o } else { nil } }
        #expect(orders.count == 1)
        #expect(orders.first?.state == .filled && orders.first?.clientOrderID == "arb-ws-1")
        #expect(orders.first?.filled == 800 && orders.first?.fees == 140_000)
        // A resting order's level appears on the book; its cancel takes it away again.
        let resting = try report(
            try drain(
                try place(
                    session, side: UInt32(ARB_SIDE_YES), price: 300_000, quantity: 300, tif: UInt32(ARB_TIF_GTC),
                    client: "arb-ws-2"), session, sim))
        _ = try drain(try session.cancel(marketID: "KXSIM-1-A", venueOrderID: resting.venueOrderID), session, sim)
        var later: [VenueEvent] = []
        for frame in sim.takeStreamFrames() { later += try session.handleFrame(Array(frame.utf8), receivedAt: 3) }
        let levels = later.compactMap { if case .book(let b) = $0 { b.yesBids } else { nil } }
        #expect(levels == [[Level(price: 300_000, size: 300)], [Level(price: 300_000, size: 0)]])
        let states = later.compactMap { if case .order(let o) = $0 { o.state } else { nil } }
        #expect(states == [.resting, .canceled])
        #expect(!later.contains { if case .gap = $0 { true } else { false } }, "one sequence, no gaps")
        // A subscription without a market for the book channel is refused as Kalshi refuses it.
        #expect(
            sim.receive("{\"id\":9,\"cmd\":\"subscribe\",\"params\":{\"channels\":[\"orderbook_delta\"]}}").first?
                .contains("\"code\":14") == true)
    }

    /// A scenario's price path drives the stream: its moves, in order, then again from the start.
    @Test func scenarioPricePathDrivesTheStream() throws {
        var scenario = Self.scenario
        scenario.path = [
            .init(ticker: "KXSIM-1-A", side: "yes", price: "0.46", change: "7"),
            .init(ticker: "KXSIM-1-A", side: "no", price: "0.52", change: "-6"),
        ]
        let (box, _, session, key) = try KalshiVenueTests().kalshi(config: "page_size = 2")
        defer { box.remove() }
        let sim = try KalshiSimulator(
            scenario: scenario, publicKeys: ["a952bcbe-ec3b-4b5b-b8f9-11dae589608c": key.publicKey],
            clock: { 1_703_123_456_789_000_000 })
        #expect(sim.hasPricePath)
        let open = try session.openStream(marketIDs: ["KXSIM-1-A"])
        guard case .streamSend(let subscribe) = try #require(open.last) else { Issue.record("no subscribe"); return }
        for frame in sim.receive(subscribe) { _ = try session.handleFrame(Array(frame.utf8), receivedAt: 1) }
        var books: [BookUpdate] = []
        for t in 0..<3 {
            let frame = try #require(sim.nextPathFrame())
            for case .book(let b) in try session.handleFrame(Array(frame.utf8), receivedAt: Int64(2 + t)) {
                books.append(b)
            }
        }
        #expect(books.map(\.yesBids) == [[Level(price: 460_000, size: 700)], [], [Level(price: 460_000, size: 1_400)]])
        #expect(books[1].noBids == [Level(price: 520_000, size: 0)], "6 of 6 contracts at 0.52 taken away")
        // A path naming an unknown market is refused with its index.
        scenario.path = [.init(ticker: "NOPE", side: "yes", price: "0.5", change: "1")]
        #expect { try KalshiSimulator(scenario: scenario, publicKeys: [:], clock: { 0 }) } throws: {
            "\($0)".contains("path[0]: no market NOPE")
        }
    }
}
