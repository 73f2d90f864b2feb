import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import PluginKit
import Synchronization

/// The Polymarket simulator on the network: Gamma's and the CLOB's REST paths on one port
/// (point both `gamma_url` and `clob_url` at it), the market channel at `/ws/market`, and
/// `POST /_sim/faults` to inject faults:
///
/// ```json
/// {"faults": ["rate_limit", "server_error"], "drop_streams": true, "pause_stream": true}
/// ```
///
/// While a socket has subscriptions, its books move: every `tickInterval` one level changes and
/// its `price_change` is sent: the scenario's price path when it has one, else a seeded walk.
public final class PolymarketSimServer: Sendable {
    let simulator: Mutex<PolymarketSimulator>
    let controls = Mutex(Controls())
    public let tickInterval: Duration
    let seed: UInt64

    struct Controls {
        /// Bumped to close every open socket ("dropped WebSocket").
        var dropGeneration = 0
        /// While true nothing moves: the socket stays open and silent.
        var paused = false
    }

    public init(
        simulator: sending PolymarketSimulator, tickInterval: Duration = .milliseconds(200),
        seed: UInt64 = 20_260_212
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
        var logger = Logger(label: "polymarket-sim")
        logger.logLevel = logLevel
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/markets/keyset") { request, _ in self.serve(request) }
        router.get("/book") { request, _ in self.serve(request) }
        router.post("/_sim/faults") { request, _ in try await self.configureFaults(request) }
        router.ws("/ws/market") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, _ in
            try await self.stream(inbound: inbound, outbound: outbound)
        }
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "polymarket-sim"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    func serve(_ request: Request) -> Response {
        let uri = request.uri.description
        let answer = simulator.withLock { $0.handle(method: request.method.rawValue, url: uri) }
        var headers = HTTPFields()
        for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
        return Response(
            status: .init(code: Int(answer.status)), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    func configureFaults(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 16)
        guard let o = try? JSONSerialization.jsonObject(with: Data(Array(buffer: body))) as? [String: Any] else {
            return Response(status: .badRequest)
        }
        let faults: [PolymarketSimulator.Fault] = ((o["faults"] as? [String]) ?? []).compactMap {
            switch $0 {
            case "rate_limit": .rateLimit
            case "server_error": .serverError
            default: nil
            }
        }
        simulator.withLock { $0.faults += faults }
        controls.withLock { c in
            if o["drop_streams"] as? Bool == true { c.dropGeneration += 1 }
            if let paused = o["pause_stream"] as? Bool { c.paused = paused }
        }
        return Response(status: .ok)
    }

    /// One socket's state, shared by its reader and its ticker.
    final class Socket: Sendable {
        let connection = Mutex(PolymarketSimulator.Connection())
    }

    /// One WebSocket client: subscriptions and pings in, dumps, pongs and moves out.
    func stream(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let generation = controls.withLock { $0.dropGeneration }
        let socket = Socket()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var rng = SplitMix64(seed: self.seed)
                while !Task.isCancelled {
                    try await Task.sleep(for: self.tickInterval)
                    let (dropped, paused) = self.controls.withLock { ($0.dropGeneration != generation, $0.paused) }
                    if dropped {
                        try await outbound.close(.goingAway, reason: "dropped by fault injection")
                        return
                    }
                    let connection = socket.connection.withLock { $0 }
                    guard !paused, !connection.assets.isEmpty else { continue }
                    let frame = self.simulator.withLock {
                        $0.nextPathFrame() ?? $0.randomMove(on: connection, rng: &rng)
                    }
                    if let frame { try await outbound.write(.text(frame)) }
                }
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                let (frames, closed) = self.simulator.withLock { sim in
                    socket.connection.withLock { c in (sim.receive(text, on: &c), c.isClosed) }
                }
                for frame in frames { try await outbound.write(.text(frame)) }
                if closed {
                    try await outbound.close(.policyViolation, reason: "expected a subscription")
                    break
                }
            }
            group.cancelAll()
        }
    }
}
