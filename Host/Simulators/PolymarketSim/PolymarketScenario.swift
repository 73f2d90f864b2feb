import Foundation

/// What the Polymarket simulator serves: events with their markets, each market's YES-token
/// book, and an optional price path. Decimal strings as on the CLOB's wire.
///
/// ```json
/// {"events": [{"id": "23784", "title": "…", "neg_risk": false,
///              "markets": [{"condition_id": "0x1fad…", "question": "…?", "yes_token": "9802…",
///                           "no_token": "5383…", "end_date": "2026-07-31T12:00:00Z", "tick": "0.01",
///                           "min_size": "5", "fee_rate": "0.05",
///                           "bids": [["0.50", "120"]], "asks": [["0.52", "80"]]}]}],
///  "path": [{"condition_id": "0x1fad…", "side": "BUY", "price": "0.51", "size": "40"}]}
/// ```
///
/// `bids` and `asks` are the YES token's (the NO token's book is their mirror). `fee_rate`
/// (default `"0"`: fee-free) is the market's `feeSchedule.rate`; `fee_exponent` defaults to 1.
/// `path` (optional) is the price path: the level changes the stream sends, one per tick, in
/// order, starting again from the first when done (`size` is the level's new size in shares,
/// `"0"` removes it; `side` BUY is a YES bid, SELL a YES ask). Without it the stream walks
/// prices randomly (seeded).
public struct PolymarketScenario: Codable, Sendable {
    public struct Market: Codable, Sendable {
        public var condition_id: String
        public var question: String?
        public var group_item_title: String?
        public var yes_token: String
        public var no_token: String
        public var end_date: String?
        public var tick: String?
        public var min_size: String?
        public var fee_rate: String?
        public var fee_exponent: Int?
        public var bids: [[String]]
        public var asks: [[String]]

        public init(
            condition_id: String, question: String? = nil, yes_token: String, no_token: String,
            end_date: String? = nil, tick: String? = nil, min_size: String? = nil, fee_rate: String? = nil,
            bids: [[String]], asks: [[String]]
        ) {
            self.condition_id = condition_id
            self.question = question
            self.yes_token = yes_token
            self.no_token = no_token
            self.end_date = end_date
            self.tick = tick
            self.min_size = min_size
            self.fee_rate = fee_rate
            self.bids = bids
            self.asks = asks
        }
    }

    public struct Event: Codable, Sendable {
        public var id: String
        public var title: String?
        public var neg_risk: Bool?
        public var markets: [Market]

        public init(id: String, title: String? = nil, neg_risk: Bool? = nil, markets: [Market]) {
            self.id = id
            self.title = title
            self.neg_risk = neg_risk
            self.markets = markets
        }
    }

    /// One scripted level change of the price path.
    public struct Move: Codable, Sendable, Equatable {
        public var condition_id: String
        public var side: String
        public var price: String
        public var size: String

        public init(condition_id: String, side: String, price: String, size: String) {
            self.condition_id = condition_id
            self.side = side
            self.price = price
            self.size = size
        }
    }

    public var events: [Event]
    public var path: [Move]?

    public init(events: [Event], path: [Move]? = nil) {
        self.events = events
        self.path = path
    }

    /// Reads a scenario file; errors name the file.
    public static func load(path: String) throws -> PolymarketScenario {
        do {
            return try JSONDecoder().decode(
                PolymarketScenario.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw PolymarketSimulatorError(description: "\(path): not a Polymarket scenario: \(error)")
        }
    }
}

public struct PolymarketSimulatorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}
