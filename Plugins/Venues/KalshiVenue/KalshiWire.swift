import FoundationEssentials

// Wire shapes of the Kalshi Trade API v2 (kalshi.md §3–4), current and legacy. Every field a
// decoder does not need is left out; optional fields are optional because Kalshi sends `null`
// or omits them (empty arrays come back as null, removed legacy fields linger in old captures).

/// `[price, count]`: current fixed-point strings, or legacy integer cents and counts.
struct KalshiLevel: Decodable {
    var price: String
    var count: String
    /// Legacy levels are integer cents.
    var isLegacyCents: Bool

    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        if let p = try? c.decode(String.self) {
            price = p
            isLegacyCents = false
        } else {
            price = String(try c.decode(Int64.self))
            isLegacyCents = true
        }
        if let n = try? c.decode(String.self) {
            count = n
        } else if let n = try? c.decode(Int64.self) {
            count = String(n)
        } else {
            count = String(try c.decode(Double.self))
        }
    }
}

struct KalshiOrderbookResponse: Decodable {
    struct Book: Decodable {
        var yes_dollars: [KalshiLevel]?
        var no_dollars: [KalshiLevel]?
        // Legacy (before March 2026): cents.
        var yes: [KalshiLevel]?
        var no: [KalshiLevel]?
    }
    var orderbook_fp: Book?
    var orderbook: Book?
    var ticker: String?
}

struct KalshiMarket: Decodable {
    var ticker: String
    var event_ticker: String
    var market_type: String?
    var title: String?
    var yes_sub_title: String?
    var status: String?
    var close_time: String?
    var expected_expiration_time: String?
    var latest_expiration_time: String?
    var price_ranges: [PriceRange]?
    var mve_collection_ticker: String?
    var mve_selected_legs: [Leg]?
    var strike_type: String?
    var floor_strike: Double?
    var cap_strike: Double?
    /// Legacy integer tick in cents (removed May 2026).
    var tick_size: Int?

    struct PriceRange: Decodable {
        var start: String
        var end: String
        var step: String
    }
    struct Leg: Decodable {
        var market_ticker: String?
    }

    var isMultivariate: Bool { mve_collection_ticker != nil || !(mve_selected_legs ?? []).isEmpty }
}

struct KalshiEvent: Decodable {
    var event_ticker: String
    var series_ticker: String
    var title: String?
    var mutually_exclusive: Bool?
    var collateral_return_type: String?
    var fee_type_override: String?
    var fee_multiplier_override: Double?
    var markets: [KalshiMarket]?
}

struct KalshiEventsPage: Decodable {
    var events: [KalshiEvent]
    var cursor: String?
}

struct KalshiMarketsPage: Decodable {
    var markets: [KalshiMarket]
    var cursor: String?
}

struct KalshiSeries: Decodable {
    var ticker: String
    var fee_type: String?
    var fee_multiplier: Double?
}

struct KalshiSeriesList: Decodable {
    var series: [KalshiSeries]?
}

struct KalshiSeriesOne: Decodable {
    var series: KalshiSeries
}

/// `{"error": {"code", "message", "details"}}`, or on 429 `{"error": "too many requests"}`.
struct KalshiErrorBody: Decodable {
    struct Detail: Decodable {
        var code: String?
        var message: String?
        var details: String?
    }
    var error: Detail?
    var errorText: String?

    enum CodingKeys: String, CodingKey { case error }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try? c.decode(String.self, forKey: .error) {
            errorText = text
        } else {
            error = try c.decodeIfPresent(Detail.self, forKey: .error)
        }
    }

    var summary: String {
        if let errorText { return errorText }
        guard let error else { return "no error body" }
        return [error.code, error.message, error.details].compactMap { $0 }.joined(separator: ": ")
    }
}

/// WebSocket envelope: `{"type", "sid", "seq", "id", "msg"}`.
struct KalshiFrame: Decodable {
    var type: String
    var sid: UInt64?
    var seq: UInt64?
    var id: Int?
}

struct KalshiSnapshotFrame: Decodable {
    struct Msg: Decodable {
        var market_ticker: String
        var yes_dollars_fp: [KalshiLevel]?
        var no_dollars_fp: [KalshiLevel]?
        var yes: [KalshiLevel]?
        var no: [KalshiLevel]?
    }
    var msg: Msg
}

struct KalshiDeltaFrame: Decodable {
    struct Msg: Decodable {
        var market_ticker: String
        var price_dollars: String?
        var delta_fp: String?
        var side: String
        var ts_ms: Int64?
        // Legacy: integer cents and count.
        var price: Int64?
        var delta: Int64?
    }
    var msg: Msg
}

struct KalshiErrorFrame: Decodable {
    struct Msg: Decodable {
        var code: Int?
        var msg: String?
    }
    var msg: Msg?
}

/// V2 create-order ack (`POST /portfolio/events/orders`).
struct KalshiOrderAck: Decodable {
    var order_id: String
    var client_order_id: String?
    var fill_count: String?
    var remaining_count: String?
    var average_fill_price: String?
    var average_fee_paid: String?
    var ts_ms: Int64?
}

struct KalshiCancelAck: Decodable {
    var order_id: String
    var client_order_id: String?
    var reduced_by: String?
    var ts_ms: Int64?
}

/// `GET /portfolio/orders/{id}` order (current and legacy fields).
struct KalshiOrder: Decodable {
    var order_id: String
    var client_order_id: String?
    var ticker: String
    var status: String
    var fill_count_fp: String?
    var remaining_count_fp: String?
    var taker_fees_dollars: String?
    var maker_fees_dollars: String?
    var taker_fill_cost_dollars: String?
    var maker_fill_cost_dollars: String?
    /// On `user_order` messages.
    var last_updated_ts_ms: Int64?
    // Legacy integers.
    var fill_count: Int64?
    var remaining_count: Int64?
}

struct KalshiOrderOne: Decodable {
    var order: KalshiOrder
}

struct KalshiBalance: Decodable {
    var balance: Int64?
    var balance_dollars: String?
    var portfolio_value: Int64?
}

/// `GET /portfolio/fills` entry (current fields; legacy integers tolerated).
struct KalshiFill: Decodable {
    var fill_id: String?
    var trade_id: String?
    var order_id: String
    var ticker: String?
    var market_ticker: String?
    var outcome_side: String?
    var book_side: String?
    var count_fp: String?
    var yes_price_dollars: String?
    var is_taker: Bool?
    var fee_cost: String?
    /// Seconds (REST and the deprecated WebSocket field); `ts_ms` on the WebSocket.
    var ts: Int64?
    var ts_ms: Int64?
    // Legacy.
    var count: Int64?
    var yes_price: Int64?
    var side: String?
}

/// WebSocket `fill` (channel `fill`): the same fields as a REST fill, with `ts_ms`.
struct KalshiFillFrame: Decodable {
    var msg: KalshiFill
}

/// WebSocket `user_order` (channel `user_orders`): an order as `GET /portfolio/orders` gives it
/// (`ticker`, not `market_ticker`).
struct KalshiUserOrderFrame: Decodable {
    var msg: KalshiOrder
}

struct KalshiFillsPage: Decodable {
    var fills: [KalshiFill]
    var cursor: String?
}

/// `GET /portfolio/positions`.
struct KalshiPositions: Decodable {
    struct Market: Decodable {
        var ticker: String
        var position_fp: String?
        var market_exposure_dollars: String?
        var realized_pnl_dollars: String?
        var fees_paid_dollars: String?
        // Legacy integers (cents, contracts).
        var position: Int64?
    }
    var market_positions: [Market]?
    var cursor: String?
}

/// `GET /portfolio/orders`.
struct KalshiOrdersPage: Decodable {
    var orders: [KalshiOrder]
    var cursor: String?
}
