import PluginKit

/// Several demo exchanges as one (the Kalshi and Polymarket simulators side by side, say): each
/// venue's requests and stream go to the exchange that serves it, and the streams take turns.
public final class CombinedExchange: DemoExchange {
    public let exchanges: [any DemoExchange]
    private var owner: [String: any DemoExchange] = [:]
    private var turn = 0

    public init(_ exchanges: [any DemoExchange]) { self.exchanges = exchanges }

    public func bind(_ venues: [PluginInstance]) throws -> [String] {
        for exchange in exchanges {
            for venue in try exchange.bind(venues) where owner[venue] == nil { owner[venue] = exchange }
        }
        return owner.keys.sorted()
    }

    public func perform(venue: String, _ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse {
        guard let exchange = owner[venue] else {
            return HTTPResponse(
                status: 0, body: Array("no exchange serves \(venue)".utf8), receiveTime: now, tag: request.tag)
        }
        return exchange.perform(venue: venue, request, now: now)
    }

    public func streamOpen(venue: String, url: String, headers: [HTTPHeader]) -> Bool {
        owner[venue]?.streamOpen(venue: venue, url: url, headers: headers) ?? false
    }

    public func streamSend(venue: String, _ text: String) -> [String] {
        owner[venue]?.streamSend(venue: venue, text) ?? []
    }

    /// The next frame of the exchanges in turn; nil only when none has one.
    public func nextFrame() -> (venue: String, frame: String)? {
        for _ in exchanges.indices {
            let exchange = exchanges[turn % exchanges.count]
            turn += 1
            if let frame = exchange.nextFrame() { return frame }
        }
        return nil
    }

    public func rules() -> [GroupRule] { exchanges.flatMap { $0.rules() } }
}
