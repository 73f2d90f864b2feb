import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// The last stream sequence of each market, keyed by the id's UTF-8 bytes: a frame's id is
/// looked up where the frame holds it, with no String made of it and no seeded `Hasher` run
/// (a `[String: UInt64]` cost about 480 instructions a frame, and the String 170 more; callgrind).
///
/// Open addressing over one array; the ids' bytes live end to end in a second. A market is never
/// removed: a gap only forgets its sequence, so no probe chain is ever broken.
struct SimSequenceTable {
    enum Step: Equatable {
        /// At or below the last snapshot's sequence: already in the book.
        case applied
        /// Not the next one: the market's sequence is forgotten until its next snapshot.
        case gap(last: UInt64)
        /// The next one (or the first since the market's sequence was forgotten).
        case next
    }

    private struct Entry {
        var hash: UInt64 = 0
        var sequence: UInt64 = 0
        /// Where the id starts in `ids`; -1 for an empty entry.
        var idStart: Int32 = -1
        var idCount: Int32 = 0
        /// False until the market's first sequence and after a gap.
        var isKnown = false
        /// The host's handle for the market (`VenueSink.marketHandle`), 0 until it gives one.
        var hostMarket: UInt32 = 0
    }

    private var entries = [Entry](repeating: Entry(), count: 16)
    private var ids: [UInt8] = []
    private var count = 0

    /// Moves `market`'s sequence to `sequence`. `entry` is the market's, for
    /// ``hostMarket(ofEntry:asking:)`` (valid until the next market is added).
    mutating func advance(_ market: UnsafeBufferPointer<UInt8>, to sequence: UInt64) -> (step: Step, entry: Int) {
        let i = entry(market)
        return (step(i, to: sequence), i)
    }

    /// The host's handle for entry `i`'s market: asked of `host` until it gives one, then kept,
    /// so the host finds the market by it instead of looking its id up on every change.
    mutating func hostMarket(ofEntry i: Int, asking host: () -> UInt32) -> UInt32 {
        entries.withUnsafeMutableBufferPointer { entries in
            if entries[i].hostMarket == 0 { entries[i].hostMarket = host() }
            return entries[i].hostMarket
        }
    }

    private mutating func step(_ i: Int, to sequence: UInt64) -> Step {
        entries.withUnsafeMutableBufferPointer { entries in
            guard entries[i].isKnown else {
                entries[i].isKnown = true
                entries[i].sequence = sequence
                return .next
            }
            let last = entries[i].sequence
            if sequence <= last { return .applied }
            if sequence != last &+ 1 {
                entries[i].isKnown = false
                return .gap(last: last)
            }
            entries[i].sequence = sequence
            return .next
        }
    }

    /// Sets `market`'s sequence (a snapshot's).
    mutating func set(_ market: String, to sequence: UInt64) {
        var market = market
        let i = market.withUTF8 { entry($0) }
        entries[i].isKnown = true
        entries[i].sequence = sequence
    }

    /// The index of `market`'s entry, made when it has none.
    private mutating func entry(_ market: UnsafeBufferPointer<UInt8>) -> Int {
        let hash = IDHash.of(market)
        let found = ids.withUnsafeBufferPointer { ids in
            entries.withUnsafeBufferPointer { entries -> (index: Int, found: Bool) in
                let mask = entries.count &- 1
                var i = Int(truncatingIfNeeded: hash >> 7) & mask
                while entries[i].idStart >= 0 {
                    let e = entries[i]
                    if e.hash == hash, Int(e.idCount) == market.count,
                        market.isEmpty
                            || memcmp(ids.baseAddress! + Int(e.idStart), market.baseAddress!, market.count) == 0
                    {
                        return (i, true)
                    }
                    i = (i &+ 1) & mask
                }
                return (i, false)
            }
        }
        if found.found { return found.index }
        if 2 * (count + 1) > entries.count {
            rehash(capacity: 2 * entries.count)
            return entry(market)
        }
        entries[found.index] = Entry(hash: hash, idStart: Int32(ids.count), idCount: Int32(market.count))
        ids.append(contentsOf: market)
        count += 1
        return found.index
    }

    private mutating func rehash(capacity: Int) {
        let old = entries
        entries = [Entry](repeating: Entry(), count: capacity)
        for e in old where e.idStart >= 0 {
            var i = Int(truncatingIfNeeded: e.hash >> 7) & (capacity - 1)
            while entries[i].idStart >= 0 { i = (i + 1) & (capacity - 1) }
            entries[i] = e
        }
    }
}
