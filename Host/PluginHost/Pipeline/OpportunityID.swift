import PluginKit

/// A stable id for an opportunity: the same lane, group and legs always give the same id, so
/// repeated sightings dedupe and an order intent keyed by it can never be placed twice.
public enum OpportunityID {
    /// 16 hex digits of FNV-1a over the lane id, group id and each leg's member, side and action.
    public static func make(laneID: String, groupID: String, legs: [(member: UInt32, side: UInt32, action: UInt32)])
        -> String
    {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        mix(laneID.utf8)
        mix([0])
        mix(groupID.utf8)
        for leg in legs {
            mix([
                0, UInt8(truncatingIfNeeded: leg.member), UInt8(truncatingIfNeeded: leg.member >> 8), UInt8(leg.side),
                UInt8(leg.action),
            ])
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// 16 hex digits of FNV-1a over the legs' markets and sides, sorted: the same basket found by
    /// two lanes (a parity rule and a cross-venue mapping of the same pair) gets one id, and an
    /// order intent keyed by it can never be placed twice.
    ///
    /// A leg's key is `venue 0x01 market 0x01 Y|N`, each key followed by a 0 byte, in the order
    /// of the keys as strings. Legs are sorted by (venue, market, side) instead, which is the same
    /// order for any id without the bytes 0x00 and 0x01, and the keys are hashed from each
    /// string's bytes in place: building and sorting the key strings made a found bucket's id
    /// (13 legs on average in the pipeline benchmark) cost 62,000 instructions, more than the walk
    /// that found the basket (44,000); now 12,000 (callgrind).
    public static func basket(_ legs: [(market: MarketKey, side: Side)]) -> String {
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
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension FoundOpportunity {
    /// The stable id of this basket in `groupID`.
    public func id(groupID: String) -> String {
        OpportunityID.make(
            laneID: laneID, groupID: groupID, legs: legs.map { ($0.memberIndex, $0.side.rawValue, $0.action.rawValue) })
    }
}
