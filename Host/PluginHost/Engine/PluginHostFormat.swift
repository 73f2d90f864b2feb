import PluginKit

/// Money and sizes as text for the command line.
public enum PluginHostFormat {
    public static func dollars(_ micros: MicroDollars) -> String { FixedPoint.format(micros, scale: FixedPoint.micros) }
    public static func contracts(_ centi: CentiContracts) -> String {
        FixedPoint.format(centi, scale: FixedPoint.centi)
    }
}
