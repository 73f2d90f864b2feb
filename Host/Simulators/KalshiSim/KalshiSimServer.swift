import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import PluginKit
import Synchronization

/// The Kalshi simulator on the network: REST under `/trade-api/v2` and the WebSocket at
/// `/trade-api/ws/v2`, both checked like Kalshi checks them (signature and clock skew), plus
/// `POST /_sim/faults` to inject faults on request:
///
/// ```json
/// {"faults": ["rate_limit", "server_error", "sequence_gap"], "latency_ms": 250,
///  "drop_streams": true, "pause_stream": true}
/// ```
///
/// While a client is subscribed, the book moves: every `tickInterval` one bid changes, and the
/// delta is sent: the scenario's price path when it has one, else a seeded random walk.
public final class KalshiSimServer: Sendable {
    let simulator: Mutex<KalshiSimulator>
    let controls = Mutex(Controls())
    public let tickInterval: Duration
    let seed: UInt64

    struct Controls {
        var latency: Duration = .zero
        /// Bumped to close every open stream ("dropped WebSocket").
        var dropGeneration = 0
        /// While true no deltas are sent: books go stale while the stream stays connected.
        var paused = false
    }

    public init(
        simulator: sending KalshiSimulator, tickInterval: Duration = .milliseconds(200), seed: UInt64 = 20_260_212
    ) {
        self.simulator = Mutex(simulator)
        self.tickInterval = tickInterval
        self.seed = seed
    }

    /// The Hummingbird application; `onRunning` receives the bound port (use port 0 to pick one).
    public func application(
        host: String = "127.0.0.1", port: Int, logLevel: Logger.Level = .info,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var logger = Logger(label: "kalshi-sim")
        logger.logLevel = logLevel
        let router = Router(context: BasicWebSocketRequestContext.self)
        for method in [HTTPRequest.Method.get, .post, .delete] {
            router.on("/trade-api/v2/**", method: method) { request, _ in try await self.serve(request) }
        }
        router.post("/_sim/faults") { request, _ in try await self.configureFaults(request) }
        router.ws("/trade-api/ws/v2") { request, _ in
            let headers = Self.headers(request)
            return self.simulator.withLock { $0.connect(headers: headers) } == nil ? .upgrade([:]) : .dontUpgrade
        } onUpgrade: { inbound, outbound, _ in
            try await self.stream(inbound: inbound, outbound: outbound)
        }
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "kalshi-sim"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    func serve(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let latency = controls.withLock { $0.latency }
        if latency > .zero { try await Task.sleep(for: latency) }
        let headers = Self.headers(request)
        let uri = request.uri.description
        let method = request.method.rawValue
        let answer = simulator.withLock {
            $0.handle(method: method, url: uri, headers: headers, body: Array(buffer: body))
        }
        return Response(
            status: .init(code: Int(answer.status)), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    func configureFaults(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 16)
        guard let o = try? JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any] else {
            return Response(status: .badRequest)
        }
        let faults: [KalshiSimulator.Fault] = ((o["faults"] as? [String]) ?? []).compactMap {
            switch $0 {
            case "rate_limit": .rateLimit
            case "server_error": .serverError
            case "sequence_gap": .sequenceGap
            default: nil
            }
        }
        simulator.withLock { $0.faults += faults }
        controls.withLock { c in
            if let ms = o["latency_ms"] as? Int { c.latency = .milliseconds(ms) }
            if o["drop_streams"] as? Bool == true { c.dropGeneration += 1 }
            if let paused = o["pause_stream"] as? Bool { c.paused = paused }
        }
        return Response(status: .ok)
    }

    /// The markets one connection subscribed to, shared by its reader and its ticker.
    final class Subscriptions: Sendable {
        let markets = Mutex<[String]>([])
    }

    /// One WebSocket client: commands in, acks/snapshots out, and deltas while subscribed.
    func stream(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let generation = controls.withLock { $0.dropGeneration }
        let subscriptions = Subscriptions()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var rng = SplitMix64(seed: self.seed)
                while !Task.isCancelled {
                    try await Task.sleep(for: self.tickInterval)
                    let (dropped, paused) = self.controls.withLock { ($0.dropGeneration != generation, $0.paused) }
                    if dropped {
                        // A dropped connection, as a flaky network or a venue restart produces.
                        try await outbound.close(.goingAway, reason: "dropped by fault injection")
                        return
                    }
                    guard !paused else { continue }
                    // What orders changed (book deltas, fills, order updates) goes out first.
                    for frame in self.simulator.withLock({ $0.takeStreamFrames() }) {
                        try await outbound.write(.text(frame))
                    }
                    let markets = subscriptions.markets.withLock { $0 }
                    guard !markets.isEmpty else { continue }
                    let market = markets[Int(rng.below(UInt64(markets.count)))]
                    let side = rng.below(2) == 0 ? "yes" : "no"
                    let price = MicroDollars(1 + rng.below(98)) * 10_000
                    let change = CentiContracts(rng.below(2_000)) - 800
                    // The scenario's price path when it has one, else the seeded random walk.
                    let frame = self.simulator.withLock {
                        $0.nextPathFrame() ?? $0.changeBid(ticker: market, side: side, price: price, change: change)
                    }
                    try await outbound.write(.text(frame))
                }
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let frames = self.simulator.withLock { $0.receive(text) }
                if let o = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                    let params = o["params"] as? [String: Any], let tickers = params["market_tickers"] as? [String]
                {
                    subscriptions.markets.withLock { $0 += tickers }
                }
                for frame in frames { try await outbound.write(.text(frame)) }
            }
            group.cancelAll()
        }
    }

    static func headers(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for field in request.headers { out[field.name.canonicalName] = field.value }
        return out
    }
}
