/// A fast hash of an id's bytes (a market id, a token id), for tables looked up on every book
/// update: the host's market table and a venue plugin's per-market state.
///
/// Multiply-xorshift over 8-byte words (SplitMix64's constants), then the tail and the length.
/// It is not seeded per process, unlike `Hasher`: two ids that collide collide in every run.
/// Ids come from the venues' own catalogues, and a table that compares the full id after the
/// hash turns a collision into one more comparison, never a wrong entry.
public enum IDHash {
    @inlinable
    public static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
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
