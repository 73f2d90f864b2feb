import PluginKit

/// The book of one binary market from the venue's bids: YES bids and NO bids. Asks are derived,
/// as on Kalshi: buying YES at 1 − p matches a NO bid at p, so the YES ask ladder is the NO bid
/// ladder mirrored (and the other way round).
public struct BinaryBook: Sendable {
    public private(set) var yesBids: [MicroDollars: CentiContracts] = [:]
    public private(set) var noBids: [MicroDollars: CentiContracts] = [:]
    public private(set) var sequence: UInt64 = 0

    public init() {}

    /// Applies a snapshot (replaces both sides) or a delta (new size per price; 0 removes).
    public mutating func apply(_ update: BookUpdate) {
        if update.kind == .snapshot {
            yesBids = [:]
            noBids = [:]
        }
        for l in update.yesBids { yesBids[l.price] = l.size > 0 ? l.size : nil }
        for l in update.noBids { noBids[l.price] = l.size > 0 ? l.size : nil }
        sequence += 1
    }

    /// The normalized quote with ask ladders, best first.
    public func quote(receivedAt: Nanoseconds) -> QuoteRecord {
        let yes = yesBids.sorted { $0.key > $1.key }
        let no = noBids.sorted { $0.key > $1.key }
        var q = QuoteRecord(
            yesBid: yes.first.map { Level(price: $0.key, size: $0.value) },
            yesAsks: no.map { Level(price: FixedPoint.micros - $0.key, size: $0.value) },
            noBid: no.first.map { Level(price: $0.key, size: $0.value) },
            noAsks: yes.map { Level(price: FixedPoint.micros - $0.key, size: $0.value) })
        q.receiveTime = receivedAt
        q.sequence = sequence
        return q
    }
}
