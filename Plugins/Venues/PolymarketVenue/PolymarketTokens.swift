import PluginKit

/// The markets discovery announced, and their outcome tokens: the CLOB and the market channel
/// name a token (`asset_id`), the host a market (its condition id).
struct PolymarketTokens {
    struct Token {
        var market: String
        var outcome: Side
    }

    private var byToken: [String: Token] = [:]
    private(set) var markets: [String: MarketInfo] = [:]

    /// Records `market` (announced again: its tokens and terms are replaced).
    mutating func add(_ market: MarketInfo) {
        if let old = markets[market.marketID] {
            byToken[old.yesToken] = nil
            byToken[old.noToken] = nil
        }
        markets[market.marketID] = market
        byToken[market.yesToken] = Token(market: market.marketID, outcome: .yes)
        byToken[market.noToken] = Token(market: market.marketID, outcome: .no)
    }

    func token(_ id: String) -> Token? { byToken[id] }

    /// The token whose bytes are `id`, read where they lie in a payload.
    func token(_ id: UnsafeBufferPointer<UInt8>) -> Token? { byToken[String(decoding: id, as: UTF8.self)] }
}
