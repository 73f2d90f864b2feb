import CArbPluginAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import KalshiSim
import Logging
import NIOWebSocket
import PluginKit
import Synchronization
import Testing
import _CryptoExtras

@testable import PluginHost

/// The Kalshi simulator on a loopback port, reached over real HTTP and WebSocket: the plugin's
/// signed requests through URLSessionTransport, its subscription through a WebSocket client,
/// and faults injected with POST /_sim/faults. Every wait is bounded.
@Suite(.serialized)
struct KalshiLoopbackTests {
    static let keyID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c"

    /// Starts the server on a free port; returns the port and the task to cancel.
    func start(_ server: KalshiSimServer) async throws -> (Int, Task<Void, any Error>) {
        try await startLoopback { server.application(port: 0, logLevel: .critical, onRunning: $0) }
    }

    /// The wall clock, which both the simulator's skew check and the plugin's signer read.
    static let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }

    /// The simulator on a loopback port, its stream moving every 5 ms, and the Kalshi plugin
    /// pointed at it, signing with the key the simulator knows.
    func streamingSimulatorAndPlugin() async throws -> (Int, Task<Void, any Error>, Sandbox, VenueSession) {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let simulator = try KalshiSimulator(
            scenario: KalshiSimulatorTests.scenario, publicKeys: [Self.keyID: key.publicKey], clock: Self.now)
        let (port, server) = try await start(KalshiSimServer(simulator: simulator, tickInterval: .milliseconds(5)))
        let (box, _, session, _) = try KalshiVenueTests().kalshi(base: "127.0.0.1:\(port)", key: key, clock: Self.now)
        return (port, server, box, session)
    }

    @Test func restOverLoopbackWithInjectedFaults() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }
        let simulator = try KalshiSimulator(
            scenario: KalshiSimulatorTests.scenario, publicKeys: [Self.keyID: key.publicKey], clock: now)
        let (port, server) = try await start(KalshiSimServer(simulator: simulator))
        defer { server.cancel() }
        let (box, _, session, _) = try KalshiVenueTests().kalshi(
            config: "page_size = 2", base: "127.0.0.1:\(port)", key: key, clock: now)
        defer { box.remove() }
        // Generous: on a loaded 2-core CI machine other suites share the cooperative pool.
        let transport = URLSessionTransport(timeout: 60, clock: now)
        let found = try await performAll(try session.startDiscovery(), session, transport)
        #expect(
            found.compactMap { if case .market(let m) = $0 { m.marketID } else { nil } } == [
                "KXSIM-1-A", "KXSIM-2-A", "KXSIM-3-A",
            ])
        let book = try await performAll(try session.requestBook(marketID: "KXSIM-1-A"), session, transport)
        guard case .book(let b) = try #require(book.first) else { Issue.record("no book"); return }
        #expect(b.yesBids.first == Level(price: 450_000, size: 1_000))
        // Inject a 429 over HTTP; the plugin reports it as rate limited.
        let faults = PluginKit.HTTPRequest(
            method: .post, url: "http://127.0.0.1:\(port)/_sim/faults",
            body: Array("{\"faults\":[\"rate_limit\"]}".utf8))
        #expect(await transport.perform(faults).status == 200)
        do {
            _ = try await performAll(try session.requestBook(marketID: "KXSIM-1-A"), session, transport)
            Issue.record("the injected 429 must surface")
        } catch let error as PluginCallError {
            #expect(error.message == "kalshi HTTP 429: too many requests")
        }
        // A connection to a closed port is a transport failure (status 0), reported, not a crash.
        let closed = await transport.perform(PluginKit.HTTPRequest(url: "http://127.0.0.1:1/trade-api/v2/series"))
        #expect(closed.status == 0)
    }

    @Test func streamOverLoopbackWithAGap() async throws {
        let (port, server, box, session) = try await streamingSimulatorAndPlugin()
        defer { server.cancel() }
        defer { box.remove() }
        let now = Self.now
        let open = try session.openStream(marketIDs: ["KXSIM-1-A"])
        guard case .streamOpen(let url, let headers) = try #require(open.first),
            case .streamSend(let subscribe) = try #require(open.last)
        else {
            Issue.record("no stream request")
            return
        }
        // The plugin signed the upgrade; the same headers go on the WebSocket handshake.
        var fields = HTTPFields()
        for header in headers { fields[HTTPField.Name(header.name)!] = header.value }
        let frames = Mutex<[String]>([])
        // Generous: on a loaded 2-core CI machine other suites share the cooperative pool.
        let transport = URLSessionTransport(timeout: 60, clock: now)
        try await WebSocketClient.connect(
            url: url, configuration: .init(additionalHeaders: fields), logger: Logger(label: "test")
        ) { inbound, outbound, _ in
            try await outbound.write(.text(subscribe))
            var count = 0
            var lastSequence: Int?
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                frames.withLock { $0.append(text) }
                count += 1
                if count == 4 {
                    // After a few deltas, lose one message.
                    _ = await transport.perform(
                        PluginKit.HTTPRequest(
                            method: .post, url: "http://127.0.0.1:\(port)/_sim/faults",
                            body: Array("{\"faults\":[\"sequence_gap\"]}".utf8)))
                }
                // Read until the lost message shows (frames sent before the fault arrived may be
                // queued behind it on a loaded machine), or give up after plenty.
                let sequence = Self.sequence(of: text)
                if count > 4, let last = lastSequence, let sequence, sequence > last + 1 { break }
                lastSequence = sequence ?? lastSequence
                if count == 400 { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        var events: [VenueEvent] = []
        for frame in frames.withLock({ $0 }) { events += try session.handleFrame(Array(frame.utf8), receivedAt: now()) }
        let bookEvents = events.compactMap { if case .book(let b) = $0 { b } else { nil } }
        #expect(bookEvents.first?.kind == .snapshot)
        #expect(bookEvents.dropFirst().contains { $0.kind == .delta })
        #expect(
            events.contains { if case .gap(let m, _) = $0 { m == "KXSIM-1-A" } else { false } },
            "the lost message is detected")
    }

    /// The `seq` of a stream frame, nil for frames without one.
    static func sequence(of frame: String) -> Int? {
        let object = try? JSONSerialization.jsonObject(with: Data(frame.utf8)) as? [String: Any]
        return object?["seq"] as? Int
    }

    /// An order placed over REST while the stream is open reaches the stream too: the book
    /// delta it caused, a `fill` and a `user_order` on the private channels the plugin subscribed.
    @Test func anOrderOverRESTIsPushedOnThePrivateChannels() async throws {
        let (_, server, box, session) = try await streamingSimulatorAndPlugin()
        defer { server.cancel() }
        defer { box.remove() }
        let now = Self.now
        let open = try session.openStream(marketIDs: ["KXSIM-1-A"])
        let subscribes = open.compactMap { if case .streamSend(let text) = $0 { text } else { nil } }
        guard case .streamOpen(let url, let headers) = try #require(open.first) else { return }
        #expect(subscribes.count == 2, "private channels, then the book")
        // Buy 8 YES at ≤ 0.50, IOC: it takes the two best NO bids.
        let placed = try KalshiSimulatorTests().place(
            session, side: UInt32(ARB_SIDE_YES), price: 500_000, quantity: 800, tif: UInt32(ARB_TIF_IOC),
            client: "arb-loopback-1")
        guard case .request(let order) = try #require(placed.first) else { return }
        var fields = HTTPFields()
        for header in headers { fields[HTTPField.Name(header.name)!] = header.value }
        let frames = Mutex<[String]>([])
        let answer = Mutex<PluginKit.HTTPResponse?>(nil)
        let transport = URLSessionTransport(timeout: 60, clock: now)
        try await WebSocketClient.connect(
            url: url, configuration: .init(additionalHeaders: fields), logger: Logger(label: "test")
        ) { inbound, outbound, _ in
            for text in subscribes { try await outbound.write(.text(text)) }
            var count = 0
            var sent = false
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                frames.withLock { $0.append(text) }
                count += 1
                if !sent, text.contains("orderbook_snapshot") {
                    sent = true
                    let response = await transport.perform(order)
                    answer.withLock { $0 = response }
                }
                if text.contains("\"type\":\"user_order\"") || count == 2_000 { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        let response = try #require(answer.withLock { $0 })
        #expect(response.status == 201)
        let ack = try session.handle(response)
        guard case .order(let report) = try #require(ack.first) else { return }
        var events: [VenueEvent] = []
        for frame in frames.withLock({ $0 }) { events += try session.handleFrame(Array(frame.utf8), receivedAt: now()) }
        let fills = events.compactMap { if case .fill(let f) = $0 { f } else { nil } }
        #expect(
            fills.map(\.quantity).reduce(0, +) == 800 && fills.allSatisfy { $0.venueOrderID == report.venueOrderID })
        let orders = events.compactMap { if case .order(let o) = $0 { o } else { nil } }
        #expect(orders.last?.state == .filled && orders.last?.clientOrderID == "arb-loopback-1")
        #expect(
            frames.withLock { $0 }.contains {
                $0.contains("\"client_order_id\":\"arb-loopback-1\"") && $0.contains("orderbook_delta")
            },
            "the book deltas the order caused name it")
    }
}
