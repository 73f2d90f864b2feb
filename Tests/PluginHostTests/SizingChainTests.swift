import CArbPluginAPI
import Foundation
import PluginHost
import PluginKit
import Testing

/// The chain as a whole: manifest order decides the result, and editing it takes effect live.
@Suite(.serialized)
struct SizingChainTests {
    func plan(_ manager: PluginManager, arm: KeyPath<Pipeline, [PluginInstance]> = \.sizingA) throws -> SizingPlan {
        let group = PluginIntegrationTests().plantedGroup()
        let opportunity = try #require(try manager.pipeline.lanes[0].evaluate(group).first)
        var context = PluginIntegrationTests().context(equity: 1_000_000_000, peak: 1_000_000_000)
        context.group = UnsafePointer(group.group)
        return withExtendedLifetime(group) {
            SizingChain.run(manager.pipeline[keyPath: arm], opportunity, context: &context)
        }
    }

    @Test func orderMattersAndManifestsChangeIt() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write("20-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        // Kelly's warm-up (no record yet: one basket) runs first, then fees at that size:
        // one contract pays 2¢ + 2¢, so the edge is 1¢ < 1.2¢ ⇒ rejected.
        try box.write(
            "30-kelly.toml",
            manifest(id: "sizing.kelly", kind: "sizing", library: "libKellyStep.so", extra: "order = 10"))
        try box.write(
            "40-fees.toml",
            manifest(
                id: "sizing.fee_model", kind: "sizing", library: "libFeeModelStep.so", extra: "order = 20",
                config: "min_edge = \"0.012\""))
        let manager = box.makeManager()
        manager.reload()
        let first = try plan(manager)
        #expect(first.trace.map(\.stepID) == ["sizing.kelly", "sizing.fee_model"])
        #expect(first.rejectedBy == "sizing.fee_model")
        // Fees first (4 baskets: 1.5¢ edge passes), then the warm-up: one basket is planned, at an
        // edge the fee step never saw. Same steps, other order, other answer.
        try box.write(
            "40-fees.toml",
            manifest(
                id: "sizing.fee_model", kind: "sizing", library: "libFeeModelStep.so", extra: "order = 5",
                config: "min_edge = \"0.012\""))
        let report = try #require(manager.reloadIfChanged())
        #expect(report.switched)
        let second = try plan(manager)
        #expect(second.trace.map(\.stepID) == ["sizing.fee_model", "sizing.kelly"])
        #expect(second.isAccepted)
        #expect(second.baskets == 100)
        #expect(second.trace.map(\.verdictName) == ["keep", "resize"])
    }

    @Test func armsAndSwappingTheLiveKellyAtRuntime() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write("20-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        try box.write(
            "30-dd.toml",
            manifest(id: "sizing.drawdown", kind: "sizing", library: "libDrawdownStep.so", extra: "order = 90"))
        try box.write(
            "40-kelly.toml",
            manifest(id: "sizing.kelly", kind: "sizing", library: "libKellyStep.so", extra: "order = 40\narm = \"A\""))
        try box.write(
            "41-fractional.toml",
            manifest(
                id: "sizing.kelly_fractional", kind: "sizing", library: "libFractionalKellyStep.so",
                extra: "order = 40\narm = \"B\""))
        let manager = box.makeManager()
        manager.reload()
        #expect(manager.pipeline.sizingA.map(\.manifest.id) == ["sizing.kelly", "sizing.drawdown"])
        #expect(manager.pipeline.sizingB.map(\.manifest.id) == ["sizing.kelly_fractional", "sizing.drawdown"])
        // Arm A (warm-up Kelly) plans one basket; arm B (plain Kelly, no record) rejects.
        #expect(try plan(manager, arm: \.sizingA).baskets == 100)
        #expect(try plan(manager, arm: \.sizingB).rejectedBy == "sizing.kelly_fractional")
        // Make the fractional Kelly live: two manifest edits, applied while running.
        let shared = manager.pipeline.instance(id: "sizing.drawdown")
        try box.write(
            "40-kelly.toml",
            manifest(id: "sizing.kelly", kind: "sizing", library: "libKellyStep.so", extra: "order = 40\narm = \"B\""))
        try box.write(
            "41-fractional.toml",
            manifest(
                id: "sizing.kelly_fractional", kind: "sizing", library: "libFractionalKellyStep.so",
                extra: "order = 40\narm = \"A\""))
        manager.reloadIfChanged()
        #expect(manager.pipeline.sizingA.map(\.manifest.id) == ["sizing.kelly_fractional", "sizing.drawdown"])
        #expect(try plan(manager, arm: \.sizingA).rejectedBy == "sizing.kelly_fractional")
        #expect(manager.pipeline.instance(id: "sizing.drawdown") === shared, "the shared step was not reloaded")
    }
}
