/// Why a quote (or a whole venue's stream) was kept away from the lanes. Every rejection is
/// counted by reason in ``DataQualityCounters``.
public enum QuoteRejection: String, Sendable, CaseIterable, Codable {
    /// A bid above the ask on one contract (on a bids-only venue: YES bid + NO bid above $1).
    case crossed
    /// A bid equal to the ask: the venue would have matched them.
    case locked
    /// A price that is not a multiple of the market's tick.
    case offTick = "off-tick"
    /// A price outside (0, 1) or a negative size.
    case outOfRange = "out-of-range"
    /// A mid-price move far outside the market's recent moves (MAD z-score and IQR fence),
    /// held until the next update confirms it.
    case jump
    /// The venue reported a sequence gap; the market waits for a fresh snapshot.
    case sequenceGap = "sequence-gap"
    /// The venue's stream is connected but silent for too long; its quotes are withheld.
    case staleStream = "stale-stream"
    /// A REST snapshot disagreed with the book built from the stream (the snapshot wins).
    case reconcileMismatch = "reconcile-mismatch"
    /// The ingest queue overflowed; the venue's books are rebuilt from snapshots.
    case overflow
    /// An update for a market the venue never announced.
    case unknownMarket = "unknown-market"
}

/// Counts of rejections by reason. Deterministic order for reports and replays.
public struct DataQualityCounters: Sendable, Equatable {
    public private(set) var counts: [QuoteRejection: Int] = [:]

    public init() {}

    public mutating func count(_ reason: QuoteRejection) { counts[reason, default: 0] += 1 }

    public subscript(reason: QuoteRejection) -> Int { counts[reason] ?? 0 }

    public var total: Int { counts.values.reduce(0, +) }

    /// "crossed=3 jump=1", in the enum's order, zero counts left out.
    public var summary: String {
        let parts = QuoteRejection.allCases.compactMap { r in counts[r].map { "\(r.rawValue)=\($0)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}
