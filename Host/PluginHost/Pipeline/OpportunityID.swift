import PluginKit

/// A stable id for an opportunity: the same legs always give the same id, so repeated sightings
/// dedupe and an order intent keyed by it can never be placed twice.
public enum OpportunityID {
    /// FNV-1a over the legs' markets and sides, sorted, whose 16 hex digits are the basket's id:
    /// the same basket found by two lanes (a parity rule and a cross-venue mapping of the same
    /// pair) gets one id, and an order intent keyed by it can never be placed twice.
    ///
    /// A leg's key is `venue 0x01 market 0x01 Y|N`, each key followed by a 0 byte, in the order
    /// of the keys as strings. Legs are sorted by (venue, market, side) instead, which is the same
    /// order for any id without the bytes 0x00 and 0x01, and the keys are hashed from each
    /// string's bytes in place: building and sorting the key strings made a found bucket's id
    /// (13 legs on average in the pipeline benchmark) cost 62,000 instructions, more than the walk
    /// that found the basket (44,000); now 12,000 (callgrind).
    ///
    /// This is the hash; the id is its ``hex(_:)``. The engine dedupes a cycle's baskets by the
    /// hash and seeds their sizing draws with it, and writes the hex only for a basket it keeps.
    public static func basketHash(_ legs: [(market: MarketKey, side: Side)]) -> UInt64 {
        let order = legs.indices.sorted { i, j in
            let (a, b) = (legs[i], legs[j])
            if a.market.venue != b.market.venue { return a.market.venue < b.market.venue }
            if a.market.marketID != b.market.marketID { return a.market.marketID < b.market.marketID }
            return a.side == .no && b.side == .yes  // "N" < "Y"
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        for i in order {
            var venue = legs[i].market.venue
            var id = legs[i].market.marketID
            venue.withUTF8 { for byte in $0 { mix(byte) } }
            mix(1)
            id.withUTF8 { for byte in $0 { mix(byte) } }
            mix(1)
            mix(legs[i].side == .yes ? UInt8(ascii: "Y") : UInt8(ascii: "N"))
            mix(0)
        }
        return hash
    }

    /// `value` as 16 lowercase hex digits, zero-padded. Written digit by digit: `String(_:radix:)`
    /// and the padding took 1,100 instructions an id, as much as sorting and hashing its legs.
    public static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { digits in
            for i in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * i)) & 0xF
                digits[i] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
            }
            return 16
        }
    }
}
