import Foundation
import PluginHost
import Testing

/// One fixture per failure class; each asserts the exact one-line error, and that the other
/// plugins in the same folder still load.
@Suite(.serialized)
struct LoaderErrorTests {
    /// Loads a folder holding a good lane plus `name` = `text`; returns the error for `name`.
    func error(for name: String, _ text: String, setup: (Sandbox) throws -> Void = { _ in }) throws -> PluginLoadError {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-good.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        try setup(box)
        try box.write(name, text)
        let manager = box.makeManager()
        let report = manager.reload()
        #expect(
            manager.pipeline.lanes.map(\.manifest.id) == ["lane.intra_venue"],
            "a bad plugin must not take the others down")
        #expect(report.errors.count == 1)
        return try #require(report.errors.first)
    }

    @Test func missingEntrySymbol() throws {
        let e = try error(for: "20-bad.toml", manifest(id: "lane.bad", kind: "lane", library: "libbad.so")) { box in
            try compileC(fixturePluginSource, output: box.root + "/libbad.so", defines: ["NO_ENTRY"])
        }
        #expect(e.code == .missingEntry)
        #expect(
            e.detail.hasSuffix(
                "libbad.so exports no arb_plugin_entry_v1 — not an arb plugin; export it with @c(arb_plugin_entry_v1) (Swift) or ARB_EXPORT (C)"
            ))
    }

    @Test func wrongABIMajor() throws {
        let e = try error(for: "20-bad.toml", manifest(id: "lane.bad", kind: "lane", library: "libbad.so")) { box in
            try compileC(fixturePluginSource, output: box.root + "/libbad.so", defines: ["ABI_MAJOR_OVERRIDE=2"])
        }
        #expect(e.code == .abiMismatch)
        #expect(
            e.detail
                == "libbad.so was built for ABI 2.4, this host speaks 1.4 — rebuild the plugin against arb_plugin.h 1.x"
        )
    }

    @Test func olderMinorLoadsNewerMinorIsRefused() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try compileC(fixturePluginSource, output: box.root + "/libold.so", defines: ["ABI_MINOR_OVERRIDE=0"])
        try box.write("10-old.toml", manifest(id: "lane.old", kind: "lane", library: "libold.so"))
        let manager = box.makeManager()
        #expect(manager.reload().errors.isEmpty, "a plugin built against 1.0 loads in a 1.4 host")
        let e = try error(for: "20-new.toml", manifest(id: "lane.new", kind: "lane", library: "libnew.so")) { box in
            try compileC(fixturePluginSource, output: box.root + "/libnew.so", defines: ["ABI_MINOR_OVERRIDE=9"])
        }
        #expect(e.code == .abiMismatch)
        #expect(
            e.detail
                == "libnew.so needs ABI 1.9, this host speaks 1.4 — upgrade arb or use an older build of the plugin")
    }

    @Test func swiftPluginFromAnotherToolchain() throws {
        let e = try error(for: "20-bad.toml", manifest(id: "lane.bad", kind: "lane", library: "libbad.so")) { box in
            try compileC(
                fixturePluginSource, output: box.root + "/libbad.so", defines: ["BUILD_ID=\"swift-5.9 x86_64\""])
        }
        #expect(e.code == .toolchainMismatch)
        #expect(e.detail.hasPrefix("libbad.so was built with swift-5.9 x86_64, this host with swift-"))
    }

    @Test func wrongKind() throws {
        let e = try error(for: "20-bad.toml", manifest(id: "lane.bad", kind: "lane", library: "libDrawdownStep.so"))
        #expect(e.code == .kindMismatch)
        #expect(
            e.detail
                == "kind = \"lane\" but libDrawdownStep.so is a sizing plugin — set kind = \"sizing\" or point `library` at a lane"
        )
    }

    @Test func shaMismatch() throws {
        let zeros = String(repeating: "0", count: 64)
        let e = try error(
            for: "20-bad.toml",
            manifest(id: "lane.pinned", kind: "lane", library: "libIntraVenueLane.so", extra: "sha256 = \"\(zeros)\""))
        #expect(e.code == .shaMismatch)
        let actual = try LibraryLoader.sha256(ofFileAt: buildDirectory + "/libIntraVenueLane.so")
        #expect(
            e.detail.hasSuffix(
                "libIntraVenueLane.so is \(actual), the manifest pins \(zeros) — rebuild the pinned version or update `sha256`"
            ))
    }

    @Test func configRejectedShowsThePluginsOwnReason() throws {
        let e = try error(
            for: "20-bad.toml",
            manifest(id: "lane.typo", kind: "lane", library: "libIntraVenueLane.so", config: "min_egde = \"0.01\""))
        #expect(e.code == .configRejected)
        #expect(
            e.detail
                == "plugin lane.typo rejected its [config]: unknown key min_egde (known: alarm_only, allow_unreviewed, far_term_days, far_term_factor, maker_baskets, maker_estimate, max_baskets, max_plausible_gap, min_edge, near_term_days, near_term_factor) — fix the [config] table"
        )
    }

    @Test func malformedTOML() throws {
        let e = try error(for: "20-bad.toml", "id = \"lane.x\"\nkind = lane\n")
        #expect(e.code == .malformedManifest)
        #expect(e.detail.hasPrefix("line 2, column 8: "))
        #expect(e.detail.hasSuffix(" — fix the TOML syntax"))
    }

    @Test func unknownKind() throws {
        let e = try error(for: "20-bad.toml", manifest(id: "lane.x", kind: "strategy", library: "libIntraVenueLane.so"))
        #expect(e.code == .unknownKind)
        #expect(e.detail == "unknown kind \"strategy\" — use one of venue, lane, sizing")
    }

    @Test func missingLibraryFile() throws {
        let e = try error(for: "20-bad.toml", manifest(id: "lane.x", kind: "lane", library: "./libNowhere.so"))
        #expect(e.code == .missingLibrary)
        #expect(e.detail.hasPrefix("library ./libNowhere.so not found (looked in "))
        #expect(e.detail.hasSuffix("/plugins.d/./libNowhere.so) — build it with `make build` or fix `library`"))
    }

    @Test func duplicateID() throws {
        let e = try error(
            for: "20-dup.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        #expect(e.code == .duplicateID)
        #expect(e.detail.hasPrefix("id \"lane.intra_venue\" is already used by "))
        #expect(e.description.contains("20-dup.toml: "))
    }

    @Test func missingRequiredKeyAndUnknownTopLevelKey() throws {
        let missing = try error(for: "20-bad.toml", "id = \"x\"\nkind = \"lane\"\n")
        #expect(missing.detail == "missing required key `library` — add library = \"…\"")
        let unknown = try error(
            for: "20-bad.toml", manifest(id: "x", kind: "lane", library: "l.so", extra: "min_edge = 1"))
        #expect(unknown.detail == "unknown key min_edge — plugin settings go under [config]")
    }
}
