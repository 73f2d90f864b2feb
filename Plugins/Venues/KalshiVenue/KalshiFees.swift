import PluginKit

/// Kalshi's trading fee (quant.md §4.1, kalshi.md §6):
///
///     taker: ceil(0.07   · m · C · P · (1 − P))
///     maker: ceil(0.0175 · m · C · P · (1 − P))   only on `quadratic_with_maker_fees` series
///            ceil(0.035  · m · C · P · (1 − P))   on `quadratic_with_combo_maker_fees` (maker multiplier 0.5)
///
/// m is the series (or event override) fee multiplier, C contracts, P the price in dollars.
/// Rounding: `.cent` rounds each order up to the cent — the worst case for a normal member and
/// what the arbitrage lanes must assume; `.direct` rounds up to $0.0001 (direct members'
/// balance precision). Computed exactly in 128-bit integers: no floating point anywhere.
public enum KalshiFees {
    public enum Rounding: String, Sendable {
        case cent
        case direct
    }

    /// Coefficients in ppm.
    static let takerCoefficient: Int64 = 70_000
    static let makerCoefficient: Int64 = 17_500
    static let comboMakerCoefficient: Int64 = 35_000

    public static func fee(
        price: MicroDollars, quantity: CentiContracts, liquidity: Liquidity, schedule: FeeSchedule,
        multiplier: PartsPerMillion, rounding: Rounding
    ) -> MicroDollars {
        let coefficient: Int64
        switch (liquidity, schedule) {
        case (_, .none): return 0
        case (.taker, _): coefficient = takerCoefficient
        case (.maker, .quadraticWithMaker): coefficient = makerCoefficient
        case (.maker, .quadraticComboMaker): coefficient = comboMakerCoefficient
        case (.maker, _): return 0
        }
        // coefficient_ppm · multiplier_ppm · C_centi · P_µ · (1 − P)_µ is in units of 1e-26 dollars.
        let numerator =
            Int128(coefficient) * Int128(multiplier) * Int128(quantity) * Int128(price)
            * Int128(FixedPoint.micros - price)
        let unit: Int128 = rounding == .cent ? 1_000_000_000_000_000_000_000_000 : 10_000_000_000_000_000_000_000  // a cent = 1e24 units, $0.0001 = 1e22
        let steps = (numerator + unit - 1) / unit
        return MicroDollars(steps) * (rounding == .cent ? 10_000 : 100)
    }
}
