import PluginKit
import Testing

struct IDHashTests {
    static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer { IDHash.of($0) } }

    /// Every byte counts: at every length up to three words, changing any one byte changes the
    /// hash (the tail is read in overlapping loads, so a skipped byte would show here).
    @Test func everyByteOfEveryLengthCounts() {
        var rng = SplitMix64(seed: 3)
        for length in 1...24 {
            for _ in 0..<20 {
                let id = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let h = Self.hash(id)
                for position in 0..<length {
                    var changed = id
                    changed[position] ^= UInt8(truncatingIfNeeded: rng.next() % 255 + 1)
                    #expect(Self.hash(changed) != h, "length \(length), byte \(position)")
                }
            }
        }
    }

    /// Ids that a shorter one's bytes would read the same as (a trailing zero, a repeated byte)
    /// hash apart, and many market-like ids have no collision.
    @Test func lengthsAndLikelyIDsHashApart() {
        #expect(Self.hash([]) != Self.hash([0]))
        #expect(Self.hash([7]) != Self.hash([7, 7]) && Self.hash([7, 7]) != Self.hash([7, 7, 7]))
        #expect(Self.hash(Array("SIM-1".utf8)) != Self.hash(Array("SIM-1\0".utf8)))
        var seen = Set<UInt64>()
        for i in 0..<100_000 { seen.insert(Self.hash(Array("KXBTC-26DEC05-T\(i)".utf8))) }
        for i in 0..<100_000 { seen.insert(Self.hash(Array("SIM-\(i)".utf8))) }
        #expect(seen.count == 200_000)
    }
}

extension IDHashTests {
    /// The tables index by `hash >> 7` under a mask: ids that differ only in their last bytes
    /// (SIM-1, SIM-2, ...) must spread over the slots as random ones would, not share a few.
    /// (A tail mixed in where the final multiply could not carry it down failed this.)
    @Test func similarIDsSpreadOverTableSlots() {
        let slots = 16_384
        for prefix in ["SIM-", "KXBTC-26DEC05-T", "0x"] {
            var used = Set<Int>()
            for i in 0..<10_000 {
                used.insert(Int(truncatingIfNeeded: Self.hash(Array("\(prefix)\(i)".utf8)) >> 7) & (slots - 1))
            }
            // Random placement fills 16,384 · (1 − e^(−10,000/16,384)) ≈ 7,490 slots.
            #expect(used.count > 7_000, "\(prefix): \(used.count) slots")
        }
    }
}
