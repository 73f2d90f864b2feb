import PluginKit

/// Money and sizes as text for the command line.
public enum PluginHostFormat {
    public static func dollars(_ micros: MicroDollars) -> String { FixedPoint.format(micros, scale: FixedPoint.micros) }
    /// A decimal ratio ("0.5") in parts per million, or nil.
    public static func ppm(_ text: String) -> PartsPerMillion? { FixedPoint.parse(text, scale: FixedPoint.ppm) }

    public static func contracts(_ centi: CentiContracts) -> String {
        FixedPoint.format(centi, scale: FixedPoint.centi)
    }
}
