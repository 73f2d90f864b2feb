import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import Logging
import NIOWebSocket
import PluginKit
import PolymarketSim
import Synchronization
import Testing

@testable import PluginHost

/// The Polymarket simulator on a loopback port, reached over real HTTP and WebSocket: the
/// plugin's Gamma and CLOB requests through URLSessionTransport, its subscription and heartbeat
/// through a WebSocket client, and a 429 injected with POST /_sim/faults. Every wait is bounded.
@Suite(.serialized)
struct PolymarketLoopbackTests {
    /// Starts the server on a free port; returns the port and the task to cancel.
    func start(_ server: PolymarketSimServer) async throws -> (Int, Task<Void, any Error>) {
        try await startLoopback { server.application(port: 0, logLevel: .critical, onRunning: $0) }
    }

    static let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }

    @Test func restAndTheMarketChannelOverLoopback() async throws {
        let simulator = try PolymarketSimulator(scenario: PolymarketSimulatorTests.scenario, clock: Self.now)
        let (port, server) = try await start(PolymarketSimServer(simulator: simulator, tickInterval: .milliseconds(5)))
        defer { server.cancel() }
        let (box, session) = try PolymarketVenueTests().polymarket(config: "page_size = 2", base: "127.0.0.1:\(port)")
        defer { box.remove() }
        // Generous: on a loaded 2-core CI machine other suites share the cooperative pool.
        let transport = URLSessionTransport(timeout: 60, clock: Self.now)
        let found = try await performAll(try session.startDiscovery(), session, transport)
        let ids = found.compactMap { if case .market(let m) = $0 { m.marketID } else { nil } }
        #expect(ids.count == 5, "three keyset pages over HTTP")
        let first = try #require(ids.first)
        let book = try await performAll(try session.requestBook(marketID: first), session, transport)
        guard case .book(let b) = try #require(book.first) else {
            Issue.record("no book")
            return
        }
        #expect(b.yesBids.first == Level(price: 310_000, size: 1_250))
        #expect(b.noBids.first == Level(price: 670_000, size: 4_000), "the YES ask at 0.33, mirrored")
        // A 429 over HTTP: reported as rate limited, with the venue's words.
        let fault = PluginKit.HTTPRequest(
            method: .post, url: "http://127.0.0.1:\(port)/_sim/faults",
            body: Array("{\"faults\":[\"rate_limit\"]}".utf8))
        #expect(await transport.perform(fault).status == 200)
        do {
            _ = try await performAll(try session.requestBook(marketID: first), session, transport)
            Issue.record("the injected 429 must surface")
        } catch let error as PluginCallError {
            #expect(error.message == "polymarket HTTP 429: Too Many Requests")
        }
        // The channel: subscribe, a dump of books, PING answered PONG, then moves.
        let open = try session.openStream(marketIDs: [first])
        guard case .streamOpen(let url, _) = try #require(open.first),
            case .streamSend(let subscribe) = try #require(open.last)
        else {
            Issue.record("no stream request")
            return
        }
        let frames = Mutex<[String]>([])
        try await WebSocketClient.connect(url: url, logger: Logger(label: "test")) { inbound, outbound, _ in
            try await outbound.write(.text(subscribe))
            try await outbound.write(.text("PING"))
            var moves = 0
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                frames.withLock { $0.append(text) }
                if text.contains("price_change") { moves += 1 }
                if moves == 20 || frames.withLock({ $0.count }) == 400 { break }
            }
            try await outbound.close(.normalClosure, reason: nil)
        }
        let received = frames.withLock { $0 }
        #expect(received.first?.hasPrefix("[{\"event_type\":\"book\"") == true, "the initial dump comes first")
        #expect(received.contains("PONG"))
        var events: [VenueEvent] = []
        for frame in received { events += try session.handleFrame(Array(frame.utf8), receivedAt: Self.now()) }
        let updates = events.compactMap { if case .book(let u) = $0 { u } else { nil } }
        #expect(updates.first?.kind == .snapshot && updates.first?.marketID == first)
        #expect(updates.dropFirst().count >= 20 && updates.dropFirst().allSatisfy { $0.kind == .delta })
        #expect(updates.allSatisfy { $0.marketID == first })
    }

    @Test func aFirstFrameThatIsNotASubscriptionClosesTheSocket() async throws {
        let simulator = try PolymarketSimulator(scenario: PolymarketSimulatorTests.scenario, clock: Self.now)
        let (port, server) = try await start(PolymarketSimServer(simulator: simulator, tickInterval: .milliseconds(5)))
        defer { server.cancel() }
        let closed = Mutex(false)
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws/market", logger: Logger(label: "test")) {
            inbound, outbound, _ in
            try await outbound.write(.text("{\"hello\":1}"))
            for try await _ in inbound.messages(maxSize: 1 << 20) {}
            closed.withLock { $0 = true }
        }
        #expect(closed.withLock { $0 }, "the server ended the stream")
    }
}
