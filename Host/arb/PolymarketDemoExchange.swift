import Foundation
import PluginHost
import PluginKit
import PolymarketSim

/// The Polymarket simulator in-process, as the demo's exchange: the Polymarket plugin's Gamma
/// and CLOB requests go to `PolymarketSimulator.handle`, its market-channel frames to `receive`
/// (subscription, PING), and the books move along the scenario's price path (or a seeded walk).
final class PolymarketDemoExchange: DemoExchange {
    let simulator: PolymarketSimulator
    let venueID = "polymarket"
    private var connection = PolymarketSimulator.Connection()
    private var rng = SplitMix64(seed: 20_260_212)

    init(simulator: PolymarketSimulator) { self.simulator = simulator }

    func bind(_ venues: [PluginInstance]) throws -> [String] {
        venues.contains { $0.venueID == venueID } ? [venueID] : []
    }

    func perform(venue: String, _ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse {
        let r = simulator.handle(method: request.method.name, url: request.url)
        return HTTPResponse(
            status: r.status, headers: r.headers.map { HTTPHeader($0.0, $0.1) }, body: r.body, receiveTime: now,
            tag: request.tag)
    }

    /// The market channel is public: every upgrade is accepted, and starts a new socket.
    func streamOpen(venue: String, url: String, headers: [HTTPHeader]) -> Bool {
        connection = PolymarketSimulator.Connection()
        return true
    }

    func streamSend(venue: String, _ text: String) -> [String] { simulator.receive(text, on: &connection) }

    func nextFrame() -> (venue: String, frame: String)? {
        guard !connection.assets.isEmpty, !connection.isClosed else { return nil }
        let frame = simulator.nextPathFrame() ?? simulator.randomMove(on: connection, rng: &rng)
        return frame.map { (venueID, $0) }
    }

    func rules() -> [GroupRule] { [] }
}
