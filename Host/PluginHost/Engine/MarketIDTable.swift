import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's market lookup: (venue slot, market id) → market index, on every book update.
///
/// Open addressing over one array of 24-byte entries holding a word-at-a-time hash of the id:
/// a lookup hashes the id once, eight bytes at a time, probes the array and compares the id
/// with the one stored for the candidate. A `Dictionary` keyed by the id and its hash cost 390
/// instructions a lookup in the pipeline benchmark (its seeded hasher over the pre-hash, its key
/// struct of a `String` and a hash), this table 204 (callgrind); pair ids are 66-byte hex strings. Equality is always the full string, so a collision costs one
/// comparison, never a wrong market. The hash is not seeded per process: two ids that collide
/// collide in every run. Ids come from the venues' own catalogues, and a collision slows a
/// lookup, nothing more.
struct MarketIDTable {
    private struct Entry {
        var hash: UInt64
        /// The market's index, -1 for an empty entry.
        var market: Int32
        var venue: Int32
        /// Where the market's id lies in `idBytes`, so that a lookup by bytes compares in place
        /// after the entry's own load. Read through `idRanges` instead, it was a second dependent
        /// load from cold memory: 28% of `Engine.apply`'s perf samples sat on it in a replay.
        /// (A market's index is interned from its venue and id, so its id never changes.)
        var idStart: Int32
        var idCount: Int32
    }

    private static let empty = Entry(hash: 0, market: -1, venue: 0, idStart: 0, idCount: 0)
    private var entries = [Entry](repeating: MarketIDTable.empty, count: 16)
    /// Each market's id by its index, for the equality check.
    private var ids: [String?] = []
    /// The same ids' UTF-8 end to end, and where each market's lies, for the check of an id
    /// given as bytes: a `memcmp` (comparing the bytes with the stored String instead made a
    /// lookup cost 320 instructions, callgrind).
    private var idBytes: [UInt8] = []
    private var idRanges: [Range<Int>] = []
    private(set) var count = 0
    /// The bytes the ids take (a market announced again must not add its id's again).
    var idByteCount: Int { idBytes.count }

    /// Maps `id` on the venue in `venue` to `market`, replacing an earlier mapping of that id.
    mutating func insert(venue: Int, id: String, market: Int) {
        if ids.count <= market {
            ids += repeatElement(nil, count: market + 1 - ids.count)
            idRanges += repeatElement(0..<0, count: market + 1 - idRanges.count)
        }
        let previous = ids[market]
        ids[market] = id
        // A market announced again keeps its bytes: only a new or changed id is appended.
        if !idBytes[idRanges[market]].elementsEqual(id.utf8) {
            // A changed id: the old one's entry stays (a probe chain must not break) but never
            // matches again, by bytes as by String (whose check reads the market's current id).
            if let previous {
                let old = probe(Self.hash(previous), venue) { Int($0.market) == market && $0.idCount >= 0 }
                if old.isMatch { entries[old.index].idCount = -1 }
            }
            idBytes.append(contentsOf: id.utf8)
            idRanges[market] = idBytes.count - id.utf8.count..<idBytes.count
        }
        let range = idRanges[market]
        precondition(range.upperBound <= Int(Int32.max), "market ids past 2 GB of bytes")
        if 2 * (count + 1) > entries.count { rehash(capacity: 2 * entries.count) }
        let hash = Self.hash(id)
        let found = probe(hash, venue) { ids[Int($0.market)] == id }
        let entry = Entry(
            hash: hash, market: Int32(market), venue: Int32(venue), idStart: Int32(range.lowerBound),
            idCount: Int32(range.count))
        if !found.isMatch { count += 1 }
        entries[found.index] = entry
    }

    /// The market `id` names on the venue in `venue`, or nil.
    func find(venue: Int, id: String) -> Int? {
        let found = probe(Self.hash(id), venue) { ids[Int($0.market)] == id }
        return found.isMatch ? Int(entries[found.index].market) : nil
    }

    /// The market whose id is `bytes` (UTF-8) on the venue in `venue`, or nil: the same lookup
    /// for an id read in place from a plugin's update, with no String made of it.
    func find(venue: Int, id bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let found = idBytes.withUnsafeBufferPointer { stored in
            probe(Self.hash(bytes), venue) { e in
                Int(e.idCount) == bytes.count
                    && (bytes.isEmpty
                        || memcmp(stored.baseAddress! + Int(e.idStart), bytes.baseAddress!, bytes.count) == 0)
            }
        }
        return found.isMatch ? Int(entries[found.index].market) : nil
    }

    /// The entry of the market among those with `hash` on `venue` that `matches`, or the empty
    /// entry where such a market would go.
    @inline(__always)
    private func probe(_ hash: UInt64, _ venue: Int, matches: (Entry) -> Bool) -> (index: Int, isMatch: Bool) {
        entries.withUnsafeBufferPointer { entries in
            var i = slot(hash, venue)
            while entries[i].market >= 0 {
                let e = entries[i]
                if e.hash == hash && e.venue == venue && matches(e) { return (i, true) }
                i = (i &+ 1) & (entries.count &- 1)
            }
            return (i, false)
        }
    }

    /// The first entry to probe: the hash with the venue mixed in, cut to the table.
    @inline(__always)
    private func slot(_ hash: UInt64, _ venue: Int) -> Int {
        Int(truncatingIfNeeded: (hash ^ (UInt64(venue) &* 0x9E37_79B9_7F4A_7C15)) >> 7) & (entries.count - 1)
    }

    private mutating func rehash(capacity: Int) {
        let old = entries
        entries = [Entry](repeating: Self.empty, count: capacity)
        for e in old where e.market >= 0 {
            var i = slot(e.hash, Int(e.venue))
            while entries[i].market >= 0 { i = (i + 1) & (capacity - 1) }
            entries[i] = e
        }
    }

    /// The id's hash, from its UTF-8 bytes in place.
    @inline(__always)
    static func hash(_ id: String) -> UInt64 {
        id.utf8.withContiguousStorageIfAvailable(hash)
            ?? {
                var contiguous = id
                return contiguous.withUTF8(hash)
            }()
    }

    /// See ``IDHash``.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 { IDHash.of(bytes) }
}
