import Foundation
import Testing

@testable import PluginHost

/// The engine's market lookup: its own word-at-a-time hash, the full string for equality; an id
/// given as bytes finds what the same id as a String finds.
struct MarketIDTableTests {
    @Test func sameIdFromAnyStorageFindsOneMarket() {
        let native = String(repeating: "a", count: 40) + "-X"
        let fromSubstring = String(("prefix:" + native).dropFirst(7))
        let bridged = NSString(string: native) as String
        var table = MarketIDTable()
        table.insert(venue: 0, id: native, market: 3)
        table.insert(venue: 0, id: "KX-1", market: 4)
        table.insert(venue: 0, id: "", market: 5)
        #expect(table.findBoth(venue: 0, id: fromSubstring) == 3)
        #expect(table.findBoth(venue: 0, id: bridged) == 3)
        #expect(table.findBoth(venue: 0, id: String("xKX-1".dropFirst())) == 4)
        #expect(table.findBoth(venue: 0, id: "") == 5)
        #expect(MarketIDTable.hash(native) == MarketIDTable.hash(bridged))
    }

    @Test func idsDifferingInOneByteOrTheirLengthAreDifferentMarkets() {
        // Every length around the 8-byte words, changed in the first, a middle and the last byte.
        for length in 1...40 {
            let base = String(repeating: "7", count: length)
            var variants = [base, base + "7", String(base.dropLast())]
            for position in [0, length / 2, length - 1] {
                var bytes = Array(base.utf8)
                bytes[position] = UInt8(ascii: "8")
                variants.append(String(decoding: bytes, as: UTF8.self))
            }
            let distinct = Array(Set(variants))
            var table = MarketIDTable()
            for (i, id) in distinct.enumerated() { table.insert(venue: 0, id: id, market: i) }
            #expect(table.count == distinct.count, "length \(length)")
            #expect(
                distinct.indices.allSatisfy { table.findBoth(venue: 0, id: distinct[$0]) == $0 }, "length \(length)")
        }
    }

    /// The same id on two venues is two markets; a re-announced id maps to its new market.
    @Test func venuesKeepTheirOwnIds() {
        var table = MarketIDTable()
        table.insert(venue: 0, id: "SAME", market: 0)
        table.insert(venue: 1, id: "SAME", market: 1)
        #expect(table.findBoth(venue: 0, id: "SAME") == 0 && table.findBoth(venue: 1, id: "SAME") == 1)
        #expect(table.findBoth(venue: 2, id: "SAME") == nil)
        table.insert(venue: 1, id: "SAME", market: 7)
        #expect(table.findBoth(venue: 1, id: "SAME") == 7 && table.count == 2)
        // A market announced again and again keeps one copy of its id's bytes.
        let before = table.idByteCount
        for _ in 0..<1_000 { table.insert(venue: 1, id: "SAME", market: 7) }
        #expect(table.idByteCount == before && table.findBoth(venue: 1, id: "SAME") == 7)
        // A market whose id changes is found by its new id only.
        table.insert(venue: 0, id: "OLD", market: 9)
        table.insert(venue: 0, id: "NEW", market: 9)
        #expect(table.findBoth(venue: 0, id: "NEW") == 9 && table.findBoth(venue: 0, id: "OLD") == nil)
        // Even from an empty id, and back: each entry compares its own bytes, and a changed id's
        // entry never matches again.
        table.insert(venue: 2, id: "", market: 11)
        #expect(table.findBoth(venue: 2, id: "") == 11)
        table.insert(venue: 2, id: "E", market: 11)
        #expect(table.findBoth(venue: 2, id: "E") == 11 && table.findBoth(venue: 2, id: "") == nil)
        table.insert(venue: 2, id: "", market: 11)
        #expect(table.findBoth(venue: 2, id: "") == 11 && table.findBoth(venue: 2, id: "E") == nil)
    }

    @Test func findsEveryMarketOfALargeUniverse() {
        // Polymarket-like condition ids: 66 bytes that differ only in their last few hex digits,
        // inserted past several growths of the table.
        let ids = (0..<20_000).map { "0x" + String(format: "%064x", $0 * 7_919) }
        var table = MarketIDTable()
        for (i, id) in ids.enumerated() { table.insert(venue: i % 3, id: id, market: i) }
        #expect(table.count == ids.count)
        #expect(ids.indices.allSatisfy { table.findBoth(venue: $0 % 3, id: ids[$0]) == $0 })
        #expect(ids.indices.allSatisfy { table.findBoth(venue: ($0 + 1) % 3, id: ids[$0]) == nil })
        #expect(table.findBoth(venue: 0, id: "0x" + String(format: "%064x", 1)) == nil)
    }
}

extension MarketIDTable {
    /// The market `id` names, looked up as a String and as its UTF-8 bytes: the two must agree.
    func findBoth(venue: Int, id: String) -> Int? {
        var bytes = id
        let byBytes = bytes.withUTF8 { find(venue: venue, id: $0) }
        let byString = find(venue: venue, id: id)
        #expect(byBytes == byString, "\(id) on venue \(venue)")
        return byString
    }
}
