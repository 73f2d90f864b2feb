import Foundation
import Testing

@testable import PluginHost

/// The engine's market lookup key: its own word-at-a-time hash, the full string for equality.
struct MarketIDKeyTests {
    @Test func sameIdFromAnyStorageIsOneKey() {
        let native = String(repeating: "a", count: 40) + "-X"
        let fromSubstring = String(("prefix:" + native).dropFirst(7))
        let bridged = NSString(string: native) as String
        #expect(MarketIDKey(native) == MarketIDKey(fromSubstring))
        #expect(MarketIDKey(native) == MarketIDKey(bridged))
        #expect(MarketIDKey(native).hashValue == MarketIDKey(bridged).hashValue)
        #expect(MarketIDKey("KX-1") == MarketIDKey(String("xKX-1".dropFirst())))
        #expect(MarketIDKey("") == MarketIDKey(""))
    }

    @Test func idsDifferingInOneByteOrTheirLengthAreDifferentKeys() {
        // Every length around the 8-byte words, changed in the first, a middle and the last byte.
        for length in 1...40 {
            let base = String(repeating: "7", count: length)
            var variants = [base, base + "7", String(base.dropLast())]
            for position in [0, length / 2, length - 1] {
                var bytes = Array(base.utf8)
                bytes[position] = UInt8(ascii: "8")
                variants.append(String(decoding: bytes, as: UTF8.self))
            }
            #expect(Set(variants.map(MarketIDKey.init)).count == Set(variants).count, "length \(length)")
        }
    }

    @Test func findsEveryMarketOfALargeUniverse() {
        // Polymarket-like condition ids: 66 bytes that differ only in their last few hex digits.
        let ids = (0..<20_000).map { "0x" + String(format: "%064x", $0 * 7_919) }
        var index: [MarketIDKey: Int] = [:]
        for (i, id) in ids.enumerated() { index[MarketIDKey(id)] = i }
        #expect(index.count == ids.count)
        #expect(ids.indices.allSatisfy { index[MarketIDKey(ids[$0])] == $0 })
        #expect(index[MarketIDKey("0x" + String(format: "%064x", 1))] == nil)
    }
}
