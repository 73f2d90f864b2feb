import CArbPluginAPI
import Testing

@testable import PluginKit

/// `VenueSink.book` lends a plugin's `[Level]` to the host as `arb_level`s without copying when
/// the two layouts agree. These tests keep that fast path taken and its values right.
struct LevelLayoutTests {
    @Test func levelHasArbLevelLayout() {
        #expect(Level.hasArbLevelLayout)
    }

    @Test func lentLevelsReadAsArbLevels() {
        let levels = [
            Level(price: 10_000, size: 1), Level(price: 990_000, size: 123_456_789), Level(price: 1, size: .max),
        ]
        let seen = withArbLevels(levels) { buffer in buffer.map { Level(price: $0.price_micros, size: $0.size_centi) } }
        #expect(seen == levels)
        #expect(withArbLevels([]) { $0.count } == 0)
    }
}
