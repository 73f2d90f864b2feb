import PluginKit
import Testing

struct FixedPointTests {
    @Test(arguments: [
        ("0.0175", Int64(1_000_000), Int64(17_500)), ("1", 1_000_000, 1_000_000), ("-0.5", 1_000_000, -500_000),
        ("12.61", 100, 1_261), ("0.50", 10, 5), ("+3", 100, 300), ("0.000001", 1_000_000, 1),
        (".5", 1_000_000, 500_000), ("5.", 100, 500), ("-0", 100, 0), ("0.4200", 100, 42), ("7", 1, 7),
        ("0.1234", 10_000, 1_234), ("2.5", 1_000, 2_500), ("-.5", 1_000_000, -500_000), ("007.10", 100, 710),
    ])
    func parsesExactly(text: String, scale: Int64, expected: Int64) {
        #expect(FixedPoint.parse(text, scale: scale) == expected)
    }

    @Test(arguments: [
        "", "-", "+", ".", "1.2.3", "abc", "0.0000001", "1e5", "99999999999999999999", "--1", "1-2", " 1", "0.42 ",
        "1..2", "-.", "1.-2", "1.2.", ".",
    ])
    func rejectsMalformedOrTooPrecise(text: String) {
        #expect(FixedPoint.parse(text, scale: 1_000_000) == nil)
    }

    /// A substring and raw bytes parse as the String does; a scale that is not a power of ten is refused.
    @Test func parsesSubstringsAndBytes() {
        let framed = "[0.42]"
        #expect(FixedPoint.parse(framed.dropFirst().dropLast(), scale: 1_000_000) == 420_000)
        let bytes = Array("12.5".utf8)
        #expect(bytes.withUnsafeBufferPointer { FixedPoint.parse(utf8: $0, scale: 100) } == 1_250)
        #expect(FixedPoint.parse("1", scale: 250) == nil)
        #expect(FixedPoint.parse("1", scale: 0) == nil)
        #expect(FixedPoint.parse("1", scale: -100) == nil)
        #expect(FixedPoint.parse("1", scale: 1_000_001) == nil)
    }

    /// Eighteen digits parse without overflow checks; the nineteenth and the scaling are checked.
    @Test func parsesUpToInt64MaxAndNoFurther() {
        #expect(FixedPoint.parse("9223372036854775807", scale: 1) == .max)
        #expect(FixedPoint.parse("-9223372036854775807", scale: 1) == -.max)
        #expect(FixedPoint.parse("9223372036854775808", scale: 1) == nil)
        #expect(FixedPoint.parse("9223372036854.775807", scale: 1_000_000) == .max)
        #expect(FixedPoint.parse("9223372036854.775808", scale: 1_000_000) == nil)
        #expect(FixedPoint.parse("9223372036854.78", scale: 1_000_000) == nil, "overflows when scaled")
        #expect(FixedPoint.parse("999999999999999999", scale: 1) == 999_999_999_999_999_999)
        #expect(FixedPoint.parse("000000000000000000000001", scale: 1) == 1, "leading zeros are digits too")
    }

    @Test func formatsWithoutTrailingZeros() {
        #expect(FixedPoint.format(1_750_000, scale: 1_000_000) == "1.75")
        #expect(FixedPoint.format(-5_000, scale: 1_000_000) == "-0.005")
        #expect(FixedPoint.format(300, scale: 100) == "3")
        #expect(FixedPoint.format(1_261, scale: 100) == "12.61")
    }

    /// The digit-by-digit formatter against an independent formulation, and back through
    /// `parse`, at every scale the ABI uses and at the extremes.
    @Test func formatsAsTheReferenceAndParsesBack() {
        // Independently: pad the fraction to the scale's digits, then strip the trailing zeros.
        func reference(_ value: Int64, scale: Int64) -> String {
            let digits = String(scale).count - 1  // scale is a power of ten
            let fraction = value.magnitude % UInt64(scale)
            var text = (value < 0 ? "-" : "") + String(value.magnitude / UInt64(scale))
            if fraction != 0 {
                let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
                text += "." + String(padded.reversed().drop { $0 == "0" }.reversed())
            }
            return text
        }
        var rng = SplitMix64(seed: 7)
        let extremes: [Int64] = [0, 1, -1, 9, 10, 99, 100, 101, 999_999, 1_000_000, 1_000_001, .max, .min, .min + 1]
        for scale: Int64 in [1, 10, 100, 10_000, 1_000_000] {
            let randoms = (0..<2_000).map { i -> Int64 in
                let v = Int64(bitPattern: rng.next())
                return i % 2 == 0 ? v % 10_000_000 : v
            }
            for value in extremes + randoms {
                let text = FixedPoint.format(value, scale: scale)
                #expect(text == reference(value, scale: scale), "\(value) at scale \(scale)")
                if value != .min { #expect(FixedPoint.parse(text, scale: scale) == value, "\(text)") }
            }
        }
    }
}

/// `FixedPoint.parse` against a reference built from the standard library's `Int64(_:)`, on
/// random strings of digits, signs and dots (most of them malformed, many long enough to overflow).
struct FixedPointParsePropertyTests {
    /// Independently: split at the dot, check the digits, pad or trim the fraction to the
    /// scale's digits, and let `Int64(_:)` read the digits (nil on overflow).
    static func reference(_ text: String, scale: Int64) -> Int64? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        let integer = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(integer.isEmpty && fraction.isEmpty) else { return nil }
        let digits = String(scale).count - 1
        guard fraction.dropFirst(digits).allSatisfy({ $0 == "0" }) else { return nil }
        let kept = fraction.prefix(digits)
        let text = integer + kept + String(repeating: "0", count: digits - kept.count)
        let significant = text.drop { $0 == "0" }
        guard let magnitude = significant.isEmpty ? 0 : Int64(significant) else { return nil }
        return negative ? -magnitude : magnitude
    }

    @Test func agreesWithTheReference() {
        var rng = SplitMix64(seed: 11)
        let alphabet = Array("0123456789012345678901234567899.-+x")
        var checked = 0
        var parsed = 0
        for _ in 0..<50_000 {
            let length = Int(rng.next() % 26)
            var text = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            // A third without sign or second dot noise: mostly well-formed decimals.
            if rng.next() % 3 == 0 { text = text.filter(\.isNumber) + "." + text.filter(\.isNumber).prefix(7) }
            for scale: Int64 in [1, 100, 1_000_000, 1_000_000_000_000_000_000] {
                let expected = Self.reference(text, scale: scale)
                #expect(FixedPoint.parse(text, scale: scale) == expected, "\(text) at scale \(scale)")
                checked += 1
                if expected != nil { parsed += 1 }
            }
        }
        // Both kinds are exercised, not only refusals.
        #expect(parsed > checked / 10)
        #expect(parsed < checked)
    }
}
