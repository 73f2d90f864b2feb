import Foundation
import Testing

@testable import PluginHost

/// Edits to plugins.d/ while the host runs: the switch is observed between cycles, a broken new
/// version leaves the old one running, a rebuilt library at the same path is picked up, and one
/// module rolls back alone.
@Suite(.serialized)
struct RuntimeSwapTests {
    let lane = manifest(id: "lane.fixture", kind: "lane", library: "libfixture.so")

    @Test func disablingAndReorderingSwitchesThePipeline() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write(
            "20-lane.toml",
            manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so", extra: "order = 20"))
        try box.write("30-dd.toml", manifest(id: "sizing.drawdown", kind: "sizing", library: "libDrawdownStep.so"))
        let manager = box.makeManager()
        manager.reload()
        let before = manager.pipeline
        #expect(before.generation == 1)
        let drawdown = try #require(before.instance(id: "sizing.drawdown"))

        _ = try ManifestDirectory(path: box.pluginsDirectory).setEnabled(false, id: "lane.intra_venue")
        let report = try #require(manager.reloadIfChanged())
        #expect(report.switched)
        #expect(report.unloaded == ["lane.intra_venue"])
        #expect(manager.pipeline.generation == 2)
        #expect(manager.pipeline.lanes.isEmpty)
        #expect(before.lanes.count == 1, "the old pipeline is untouched until released: a running cycle keeps it")
        #expect(manager.pipeline.instance(id: "sizing.drawdown") === drawdown, "unchanged modules are not reloaded")
        #expect(manager.reloadIfChanged() == nil, "no change, no reload")
    }

    @Test func configChangeBuildsANewInstance() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write("20-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        let manager = box.makeManager()
        manager.reload()
        let old = try #require(manager.pipeline.lanes.first)
        try box.write(
            "20-lane.toml",
            manifest(
                id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so", config: "min_edge = \"0.02\""))
        let report = try #require(manager.reloadIfChanged())
        #expect(report.loaded == ["lane.intra_venue"])
        let new = try #require(manager.pipeline.lanes.first)
        #expect(new !== old)
        // With a 2-cent minimum edge the planted 1.5-cent basket is no longer reported.
        #expect(try new.evaluate(PluginIntegrationTests().plantedGroup()).isEmpty)
    }

    @Test func brokenNewVersionLeavesTheOldOneRunning() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try compileC(fixturePluginSource, output: box.root + "/libfixture.so")
        try box.write("20-lane.toml", lane)
        let manager = box.makeManager()
        manager.reload()
        let running = try #require(manager.pipeline.lanes.first)
        // The new version points at a library that does not exist, then at one of the wrong ABI.
        try box.write("20-lane.toml", manifest(id: "lane.fixture", kind: "lane", library: "libgone.so"))
        let report = try #require(manager.reloadIfChanged())
        #expect(report.errors.map(\.code) == [.missingLibrary])
        #expect(manager.pipeline.lanes.first === running)
        #expect(
            manager.statuses.first?.stateDescription.hasPrefix(
                "previous version running; new one failed [missing-library]") == true)
        // A manifest that stops parsing also keeps its module running.
        try box.write("20-lane.toml", "id = \"lane.fixture\"\nkind = ")
        #expect(try #require(manager.reloadIfChanged()).errors.map(\.code) == [.malformedManifest])
        #expect(manager.pipeline.lanes.first === running)
    }

    @Test func libraryRebuiltAtTheSamePathIsPickedUp() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try compileC(fixturePluginSource, output: box.root + "/libfixture.so", defines: ["VERSION=\"1.0.0\""])
        try box.write("20-lane.toml", lane)
        let manager = box.makeManager()
        manager.reload()
        #expect(manager.pipeline.lanes.first?.library.version == "1.0.0")
        // Rebuild in place. Reopening the same path would return the old image (RTLD_NODELETE);
        // the loader opens a content-addressed copy instead.
        try compileC(fixturePluginSource, output: box.root + "/libfixture.so", defines: ["VERSION=\"2.0.0\""])
        let report = try #require(manager.reloadIfChanged())
        #expect(report.loaded == ["lane.fixture"])
        #expect(manager.pipeline.lanes.first?.library.version == "2.0.0")
    }

    @Test func watcherAppliesEditsWhileRunning() async throws {
        let box = try Sandbox()
        defer { box.remove() }
        try compileC(fixturePluginSource, output: box.root + "/libfixture.so")
        try box.write("20-lane.toml", lane)
        let manager = box.makeManager()
        manager.reload()
        let task = manager.watch(every: .milliseconds(20)) { _ in }
        defer { task.cancel() }
        _ = try ManifestDirectory(path: box.pluginsDirectory).setEnabled(false, id: "lane.fixture")
        // Wait (bounded) for the watcher to apply it; no timing is asserted.
        for _ in 0..<500 where !manager.pipeline.lanes.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(manager.pipeline.lanes.isEmpty)
        #expect(manager.pipeline.generation == 2)
    }

    @Test func rollbackRestoresOneModule() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        let v1 = manifest(
            id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so", config: "min_edge = \"0.005\"")
        let v2 = manifest(
            id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so", config: "min_edge = \"0.05\"")
        try box.write("20-lane.toml", v1)
        let manager = box.makeManager()
        manager.reload()
        try box.write("20-lane.toml", v2)
        manager.reloadIfChanged()
        let venueBefore = try #require(manager.pipeline.venues.first)
        let directory = ManifestDirectory(path: box.pluginsDirectory)
        let file = try directory.rollback(id: "lane.intra_venue")
        #expect(file.hasSuffix("20-lane.toml"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == v1)
        manager.reloadIfChanged()
        #expect(try manager.pipeline.lanes[0].evaluate(PluginIntegrationTests().plantedGroup()).count == 1)
        #expect(manager.pipeline.venues.first === venueBefore, "the rollback touched no other module")
        #expect(throws: ManifestEditError.self) { try directory.rollback(id: "venue.unknown") }
    }

    @Test func enableDisableKeepsTheRestOfTheFile() {
        let text =
            "# my lane\nid = \"x\"\nkind = \"lane\"\nlibrary = \"l.so\"\nenabled = true # on\n\n[config]\nenabled = 1\n"
        let off = ManifestDirectory.settingEnabled(false, in: text)
        #expect(
            off
                == "# my lane\nid = \"x\"\nkind = \"lane\"\nlibrary = \"l.so\"\nenabled = false\n\n[config]\nenabled = 1\n"
        )
        let inserted = ManifestDirectory.settingEnabled(true, in: "id = \"x\"\n[config]\n")
        #expect(inserted == "id = \"x\"\nenabled = true\n[config]\n")
    }
}
