import Foundation
import PluginHost
import Testing

/// Plugins written outside this package, from the header alone (C) or against PluginAPI only
/// (Swift), built with their own tools and loaded through manifests.
@Suite(.serialized)
struct ThirdPartyPluginTests {
    @Test func cPluginFromTheHeaderAlone() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try compileC(cExampleSource, output: box.root + "/libMaxBasketsStep.so")
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write("20-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        try box.write(
            "30-cap.toml",
            manifest(
                id: "sizing.max_baskets", kind: "sizing", library: "libMaxBasketsStep.so",
                config: "max_baskets = \"2.5\""))
        let manager = box.makeManager()
        #expect(manager.reload().errors.isEmpty)
        let step = try #require(manager.pipeline.sizingA.first)
        #expect(step.library.buildID == "cc")
        let o = try #require(try manager.pipeline.lanes[0].evaluate(PluginIntegrationTests().plantedGroup()).first)
        var context = PluginIntegrationTests().context(equity: 1_000_000_000, peak: 1_000_000_000)
        let outcome = try step.size(o, baskets: 400, context: &context)
        #expect(outcome.baskets == 250)
        #expect(outcome.reason == "capped at 2.50 contracts")
        #expect(outcome.metrics.first?.name == "cap_centi")
        // Its own config check.
        try box.write(
            "30-cap.toml",
            manifest(
                id: "sizing.max_baskets", kind: "sizing", library: "libMaxBasketsStep.so",
                config: "max_baskets = \"-1\""))
        let report = try #require(manager.reloadIfChanged())
        #expect(
            report.errors.first?.detail
                == "plugin sizing.max_baskets rejected its [config]: max_baskets must be a positive number of contracts — fix the [config] table"
        )
    }

    @Test func swiftPluginInItsOwnPackage() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let scratch = box.root + "/swift-build"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "swift", "build", "--package-path", repositoryRoot + "/Examples/SwiftPlugin", "--scratch-path", scratch,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swift build of Examples/SwiftPlugin failed")
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write("20-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        try box.write(
            "30-edge.toml",
            manifest(
                id: "sizing.min_edge", kind: "sizing", library: scratch + "/debug/libMinEdgeStep.so",
                config: "min_edge = 0.02"))
        let manager = box.makeManager()
        #expect(manager.reload().errors.isEmpty)
        let o = try #require(try manager.pipeline.lanes[0].evaluate(PluginIntegrationTests().plantedGroup()).first)
        var context = PluginIntegrationTests().context(equity: 1_000_000_000, peak: 1_000_000_000)
        let outcome = try manager.pipeline.sizingA[0].size(o, baskets: 400, context: &context)
        #expect(outcome.isRejected)
        #expect(outcome.reason == "edge $0.015 below minimum")
    }
}
