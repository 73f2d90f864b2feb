import Foundation
import Testing

/// Runs the built `arb` executable, as a user would.
@Suite(.serialized)
struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
    }

    func arb(_ arguments: [String], state: String) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: buildDirectory + "/arb")
        process.arguments = arguments + ["--state-dir", state]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test func verifyTheShippedManifests() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try arb(
            ["plugins", "verify", "--plugins-dir", repositoryRoot + "/plugins.d"], state: box.stateDirectory)
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("22 passed, 0 failed"))
        #expect(run.output.contains("ok   lane.intra_venue: running sha256="))
    }

    @Test func verifyFailsWithTheReasonAndListShowsIt() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        try box.write("20-bad.toml", manifest(id: "lane.bad", kind: "sizing", library: "libIntraVenueLane.so"))
        let verify = try arb(["plugins", "verify", "--plugins-dir", box.pluginsDirectory], state: box.stateDirectory)
        #expect(verify.status == 1)
        #expect(
            verify.output.contains(
                "FAIL lane.bad: error [kind-mismatch]: kind = \"sizing\" but libIntraVenueLane.so is a lane plugin"))
        #expect(verify.output.contains("1 passed, 1 failed"))
        let list = try arb(["plugins", "list", "--plugins-dir", box.pluginsDirectory], state: box.stateDirectory)
        #expect(list.status == 0)
        let header = try #require(list.output.split(separator: "\n").first)
        #expect(header.hasPrefix("ID  "))
        #expect(header.contains("SHA256"))
    }

    @Test func verifySurvivesAPluginThatCrashes() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try compileC(fixturePluginSource, output: box.pluginsDirectory + "/libcrash.so", defines: ["CRASH_IN_CREATE"])
        try box.write("10-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        try box.write("20-crash.toml", manifest(id: "lane.crash", kind: "lane", library: "./libcrash.so"))
        try box.write("30-dup.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        let run = try arb(["plugins", "verify", "--plugins-dir", box.pluginsDirectory], state: box.stateDirectory)
        #expect(run.status == 1)
        #expect(run.output.contains("ok   lane.intra_venue: running sha256="))
        #expect(
            run.output.contains(
                "FAIL lane.crash: the plugin crashed its process while loading (signal 6) — keep it disabled"))
        #expect(
            run.output.contains(
                "FAIL lane.intra_venue: error [duplicate-id]: id \"lane.intra_venue\" is already used by "))
        #expect(run.output.contains("1 passed, 2 failed"))
    }

    @Test func enableDisableRollbackEditTheManifest() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-lane.toml", manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"))
        let disable = try arb(
            ["plugins", "disable", "lane.intra_venue", "--plugins-dir", box.pluginsDirectory], state: box.stateDirectory
        )
        #expect(disable.status == 0)
        let file = box.pluginsDirectory + "/10-lane.toml"
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("enabled = false"))
        let rollback = try arb(
            ["plugins", "rollback", "lane.intra_venue", "--plugins-dir", box.pluginsDirectory],
            state: box.stateDirectory)
        #expect(rollback.status == 0)
        #expect(!(try String(contentsOfFile: file, encoding: .utf8).contains("enabled = false")))
        let unknown = try arb(
            ["plugins", "enable", "lane.nope", "--plugins-dir", box.pluginsDirectory], state: box.stateDirectory)
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("no manifest in"))
    }

    @Test func missingPluginsDirectoryIsAOneLineError() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let run = try arb(["plugins", "list", "--plugins-dir", box.root + "/nope"], state: box.stateDirectory)
        #expect(run.status != 0)
        #expect(run.output.contains("plugins directory \(box.root)/nope does not exist"))
    }
}
