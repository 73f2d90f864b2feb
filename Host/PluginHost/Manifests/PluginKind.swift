import CArbPluginAPI

/// The three kinds of plugin the host loads.
public enum PluginKind: String, Sendable, CaseIterable, Comparable {
    case venue
    case lane
    case sizing

    /// The ABI's `ARB_KIND_*` value.
    public var abiValue: UInt32 {
        switch self {
        case .venue: UInt32(ARB_KIND_VENUE)
        case .lane: UInt32(ARB_KIND_LANE)
        case .sizing: UInt32(ARB_KIND_SIZING)
        }
    }

    public init?(abiValue: UInt32) {
        guard let kind = Self.allCases.first(where: { $0.abiValue == abiValue }) else { return nil }
        self = kind
    }

    public static func < (a: PluginKind, b: PluginKind) -> Bool { a.abiValue < b.abiValue }
}
