import CArbPluginAPI

/// The host's identity, handed to every plugin in `arb_host`.
public enum HostVersion {
    public static let name = "arb"
    public static let version = "0.1.0"
    public static let abiMajor = UInt16(ARB_ABI_MAJOR)
    public static let abiMinor = UInt16(ARB_ABI_MINOR)
}
