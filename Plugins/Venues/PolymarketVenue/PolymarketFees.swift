import PluginKit

/// Polymarket's taker fee (docs `trading/fees.md`, 2026): `fee = C × rate × p(1 − p)` in pUSD
/// for C shares at price p, charged to the taker only (makers never pay), the same for buys and
/// sells, floored to 5 decimals ($0.00001, as NautilusTrader's adapter charges it; a fee below
/// that is 0). The rate is the market's own `feeSchedule.rate`. The schedule's general form has
/// an exponent, `rate × (p(1 − p))^exponent`; every schedule published since March 2026 has 1,
/// and a market with another is announced inactive (see ``PolymarketVenue``).
///
/// Computed in 128-bit integers from a micro-dollar price, a centi-share quantity and a rate in
/// parts per million: no floating point, no intermediate rounding.
enum PolymarketFees {
    /// The smallest fee charged: $0.00001 in micro-dollars.
    static let step: MicroDollars = 10

    /// The most shares a fee is stated for (ten billion, in centi-shares): far beyond any book,
    /// and it keeps the fee within Int64.
    static let maximumQuantity: CentiContracts = 1_000_000_000_000

    /// The fee in micro-dollars. `rate` is in parts per million (0.04 = 40,000), at most 1.0;
    /// `quantity` at most ``maximumQuantity``.
    static func fee(price: MicroDollars, quantity: CentiContracts, rate: PartsPerMillion, liquidity: Liquidity)
        -> MicroDollars
    {
        guard liquidity == .taker, rate > 0, quantity > 0 else { return 0 }
        let variance = Int128(price) * Int128(FixedPoint.micros - price)  // p(1 − p) × 10^12
        precondition(quantity <= maximumQuantity && rate <= FixedPoint.ppm, "checked by the caller")
        // C × rate × p(1 − p) in micro-dollars: quantity × rate is at scale 10^8, so the product
        // is at 10^20 dollars; 10^14 of it is a micro-dollar.
        let exact = Int128(quantity) * Int128(rate) * variance / 100_000_000_000_000
        return MicroDollars(exact / Int128(step)) * step
    }
}
