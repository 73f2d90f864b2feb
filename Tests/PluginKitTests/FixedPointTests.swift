import PluginKit
import Testing

struct FixedPointTests {
    @Test(arguments: [
        ("0.0175", Int64(1_000_000), Int64(17_500)), ("1", 1_000_000, 1_000_000), ("-0.5", 1_000_000, -500_000),
        ("12.61", 100, 1_261), ("0.50", 10, 5), ("+3", 100, 300), ("0.000001", 1_000_000, 1),
    ])
    func parsesExactly(text: String, scale: Int64, expected: Int64) {
        #expect(FixedPoint.parse(text, scale: scale) == expected)
    }

    @Test(arguments: ["", "-", "1.2.3", "abc", "0.0000001", "1e5", "99999999999999999999"])
    func rejectsMalformedOrTooPrecise(text: String) {
        #expect(FixedPoint.parse(text, scale: 1_000_000) == nil)
    }

    @Test func formatsWithoutTrailingZeros() {
        #expect(FixedPoint.format(1_750_000, scale: 1_000_000) == "1.75")
        #expect(FixedPoint.format(-5_000, scale: 1_000_000) == "-0.005")
        #expect(FixedPoint.format(300, scale: 100) == "3")
        #expect(FixedPoint.format(1_261, scale: 100) == "12.61")
    }
}
