import Foundation

/// What the Kalshi simulator serves: series, events with their markets and books, and the
/// account's cash. Decimal strings as on Kalshi's wire.
///
/// ```json
/// {"cash": "1000.00",
///  "series": [{"ticker": "KXT", "fee_type": "quadratic", "fee_multiplier": 1}],
///  "events": [{"event_ticker": "KXT-1", "series_ticker": "KXT", "title": "…", "mutually_exclusive": false,
///              "markets": [{"ticker": "KXT-1-A", "close_time": "2026-12-01T00:00:00Z",
///                           "yes_bids": [["0.45", "10"]], "no_bids": [["0.50", "4"]]}]}],
///  "path": [{"ticker": "KXT-1-A", "side": "yes", "price": "0.47", "change": "5"},
///           {"ticker": "KXT-1-A", "side": "no", "price": "0.50", "change": "-4"}]}
/// ```
///
/// `path` (optional) is the price path: the bid changes the stream sends, one per tick, in order,
/// starting again from the first when done (`change` in contracts, negative to take size away).
/// Without it the stream walks prices randomly (seeded).
public struct KalshiScenario: Codable, Sendable {
    public struct Series: Codable, Sendable {
        public var ticker: String
        public var fee_type: String?
        public var fee_multiplier: Double?

        public init(ticker: String, fee_type: String?, fee_multiplier: Double?) {
            self.ticker = ticker
            self.fee_type = fee_type
            self.fee_multiplier = fee_multiplier
        }
    }
    public struct Market: Codable, Sendable {
        public var ticker: String
        public var title: String?
        public var close_time: String?
        public var yes_bids: [[String]]
        public var no_bids: [[String]]

        public init(ticker: String, title: String?, close_time: String?, yes_bids: [[String]], no_bids: [[String]]) {
            self.ticker = ticker
            self.title = title
            self.close_time = close_time
            self.yes_bids = yes_bids
            self.no_bids = no_bids
        }
    }
    public struct Event: Codable, Sendable {
        public var event_ticker: String
        public var series_ticker: String
        public var title: String?
        public var mutually_exclusive: Bool?
        public var markets: [Market]

        public init(
            event_ticker: String, series_ticker: String, title: String?, mutually_exclusive: Bool?, markets: [Market]
        ) {
            self.event_ticker = event_ticker
            self.series_ticker = series_ticker
            self.title = title
            self.mutually_exclusive = mutually_exclusive
            self.markets = markets
        }
    }

    /// One scripted bid change of the price path.
    public struct Move: Codable, Sendable, Equatable {
        public var ticker: String
        public var side: String
        public var price: String
        public var change: String

        public init(ticker: String, side: String, price: String, change: String) {
            self.ticker = ticker
            self.side = side
            self.price = price
            self.change = change
        }
    }

    public var cash: String
    public var series: [Series]
    public var events: [Event]
    public var path: [Move]?

    public init(cash: String, series: [Series], events: [Event], path: [Move]? = nil) {
        self.cash = cash
        self.series = series
        self.events = events
        self.path = path
    }

    /// Reads a scenario file; errors name the file.
    public static func load(path: String) throws -> KalshiScenario {
        do {
            return try JSONDecoder().decode(KalshiScenario.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw KalshiSimulatorError(description: "\(path): not a Kalshi scenario: \(error)")
        }
    }
}

public struct KalshiSimulatorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}
