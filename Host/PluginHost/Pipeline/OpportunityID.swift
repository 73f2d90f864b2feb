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
    public static func basket(_ legs: [(market: MarketKey, side: Side)]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let keys = legs.map { "\($0.market.venue)\u{1}\($0.market.marketID)\u{1}\($0.side == .yes ? "Y" : "N")" }
            .sorted()
        for key in keys {
            for byte in key.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0
            hash = hash &* 0x0000_0100_0000_01b3
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
