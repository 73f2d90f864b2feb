/// A market id as a dictionary key whose hash is computed once, eight bytes at a time, instead of
/// by SipHash over every byte on each lookup: the engine looks a market up on every book update,
/// and pair ids are 66-byte hex strings. Equality is still the full string comparison, so a
/// collision costs one comparison, never a wrong market. Unlike SipHash this pre-hash is not
/// seeded per process: two ids that collide in it collide in every run (the dictionary's seeded
/// hasher only spreads distinct pre-hashes). Ids come from the venues' own catalogues, and a
/// collision slows a lookup, nothing more.
struct MarketIDKey: Hashable {
    let id: String
    private let hash64: UInt64

    init(_ id: String) {
        self.id = id
        hash64 =
            id.utf8.withContiguousStorageIfAvailable(Self.hash)
            ?? {
                var contiguous = id
                return contiguous.withUTF8(Self.hash)
            }()
    }

    static func == (a: MarketIDKey, b: MarketIDKey) -> Bool { a.hash64 == b.hash64 && a.id == b.id }

    func hash(into hasher: inout Hasher) { hasher.combine(hash64) }

    /// Multiply-xorshift over 8-byte words (SplitMix64's constants), then the tail and the length.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawBufferPointer(bytes)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
        var i = 0
        while i + 8 <= raw.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < raw.count {
            tail |= UInt64(raw[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
