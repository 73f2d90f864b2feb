import Foundation
import KalshiSim
import PluginHost
import PluginKit

/// The Kalshi simulator in-process, as the demo's exchange: the Kalshi plugin's signed requests
/// go to `KalshiSimulator.handle` (which checks the RSA-PSS signatures and clock skew as Kalshi
/// does), its WebSocket subscription to `receive`, and the stream follows the scenario's price
/// path (or a seeded random walk).
final class KalshiDemoExchange: DemoExchange {
    let simulator: KalshiSimulator
    let venueID = "kalshi"
    private var rng = SplitMix64(seed: 20_260_212)

    init(simulator: KalshiSimulator) { self.simulator = simulator }

    func bind(_ venues: [PluginInstance]) throws -> [String] {
        venues.contains { $0.venueID == venueID } ? [venueID] : []
    }

    func perform(venue: String, _ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse {
        let r = simulator.handle(
            method: request.method.name, url: request.url, headers: Self.headers(request.headers), body: request.body)
        return HTTPResponse(status: r.status, body: r.body, receiveTime: now, tag: request.tag)
    }

    func streamOpen(venue: String, url: String, headers: [HTTPHeader]) -> Bool {
        simulator.connect(headers: Self.headers(headers)) == nil
    }

    func streamSend(venue: String, _ text: String) -> [String] { simulator.receive(text) }

    /// Messages orders caused, sent before the next price move.
    private var pending: [String] = []

    func nextFrame() -> (venue: String, frame: String)? {
        if pending.isEmpty { pending = simulator.takeStreamFrames() }
        if !pending.isEmpty { return (venueID, pending.removeFirst()) }
        // The markets the plugin subscribed to, as the simulator recorded them.
        let subscribed = simulator.bookSubscriptions
        guard !subscribed.isEmpty else { return nil }
        if let frame = simulator.nextPathFrame() { return (venueID, frame) }
        let market = subscribed[Int(rng.below(UInt64(subscribed.count)))]
        let price = MicroDollars(1 + rng.below(98)) * 10_000
        let change = CentiContracts(rng.below(2_000)) - 800
        let frame = simulator.changeBid(
            ticker: market, side: rng.below(2) == 0 ? "yes" : "no", price: price, change: change)
        return (venueID, frame)
    }

    func rules() -> [GroupRule] { [] }

    static func headers(_ headers: [HTTPHeader]) -> [String: String] {
        Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}
