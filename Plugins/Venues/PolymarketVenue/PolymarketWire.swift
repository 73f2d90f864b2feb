import FoundationEssentials
import PluginKit

// Wire shapes of Polymarket's public market data (polymarket.md §1, §2, §6): Gamma's markets,
// the CLOB's order book, the market channel's events. Fields a decoder does not need are left
// out; optional fields are optional because Polymarket omits them (or sends null) freely.

/// `GET /markets/keyset` (Gamma): a page of markets; `next_cursor` is omitted on the last page.
struct GammaMarketsPage: Decodable {
    var markets: [GammaMarket]
    var next_cursor: String?
}

struct GammaMarket: Decodable {
    var conditionId: String?
    var question: String?
    /// A JSON-encoded string inside the JSON: the two token ids, `"[\"1075…\", \"7305…\"]"`,
    /// uint256 decimals of up to 78 digits (never numbers), in the order of `outcomes` (YES first).
    var clobTokenIds: String?
    var active: Bool?
    var closed: Bool?
    var archived: Bool?
    var acceptingOrders: Bool?
    var enableOrderBook: Bool?
    var orderPriceMinTickSize: WireNumber?
    var orderMinSize: WireNumber?
    var feesEnabled: Bool?
    var feeSchedule: GammaFeeSchedule?
    var negRisk: Bool?
    var negRiskMarketID: String?
    var endDate: String?
    var events: [GammaEventReference]?
}

struct GammaEventReference: Decodable {
    var id: String?
}

/// `{rate, exponent, takerOnly, rebateRate}`: fee = C × rate × (p(1 − p))^exponent.
struct GammaFeeSchedule: Decodable {
    var rate: WireNumber?
    var exponent: WireNumber?
}

/// A decimal Polymarket sends as a JSON number on Gamma (`0.01`, `5`) and as a string on the CLOB.
enum WireNumber: Decodable, Equatable {
    case text(String)
    case integer(Int64)
    case binary(Double)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .text(s)
        } else if let i = try? c.decode(Int64.self) {
            self = .integer(i)
        } else {
            self = .binary(try c.decode(Double.self))
        }
    }

    /// The value in `scale` units per 1.0, exactly. A JSON number with a fraction is decoded
    /// as the nearest double; rounding it to `scale` recovers the decimal exactly whenever the
    /// decimal has no more digits than `scale` holds and fewer than 15 in all (every tick,
    /// size and rate Polymarket publishes). Nil when it is not a number or does not fit.
    func fixed(scale: Int64) -> Int64? {
        switch self {
        case .text(let s): return FixedPoint.parse(s, scale: scale)
        case .integer(let i): return i.multipliedReportingOverflow(by: scale).overflow ? nil : i * scale
        case .binary(let d):
            let scaled = (d * Double(scale)).rounded()
            guard scaled.isFinite, abs(scaled) < 9e15 else { return nil }
            return Int64(scaled)
        }
    }
}

/// `GET /book?token_id=` and the market channel's `book` event: levels as decimal strings,
/// bids ascending and asks descending (best last), whatever the OpenAPI text says.
struct ClobBook: Decodable {
    var asset_id: String
    var timestamp: String?
    var bids: [ClobLevel]?
    var asks: [ClobLevel]?
}

struct ClobLevel: Decodable {
    var price: String
    var size: String
}

/// A market-channel event, dispatched on `event_type`.
struct MarketChannelEvent: Decodable {
    var event_type: String
    var asset_id: String?
    var timestamp: String?
    /// `price_change` since 2025-09-15: one entry per level changed, tokens mixed.
    var price_changes: [PriceChange]?
    /// `price_change` before: one token (`asset_id` above), its changes.
    var changes: [LegacyChange]?
    /// `book`.
    var bids: [ClobLevel]?
    var asks: [ClobLevel]?
    /// `tick_size_change`.
    var new_tick_size: String?
}

/// A level's new aggregate size (`"0"` removes it): BUY is a bid, SELL an ask.
struct PriceChange: Decodable {
    var asset_id: String
    var price: String
    var size: String
    var side: String
}

struct LegacyChange: Decodable {
    var price: String
    var size: String
    var side: String
}

/// An error answer: `{"error": "Invalid token id"}`.
struct ClobError: Decodable {
    var error: String?
}
