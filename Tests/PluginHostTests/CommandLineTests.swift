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
        #expect(run.output.contains("23 passed, 0 failed"))
        #expect(run.output.contains("ok   lane.intra_venue: running sha256="))
    }

    /// `arb scan` on a hand-made universe and quote snapshot: the planted ladder inversion is
    /// printed with its legs, edge after Kalshi's fees and the sizing trace; a bad line is named.
    @Test func scanPrintsOpportunitiesAndNamesBadLines() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(
            "10-kalshi.toml",
            manifest(
                id: "venue.kalshi", kind: "venue", library: "libKalshiVenue.so",
                config: "rest_url = \"https://x.invalid\""))
        try box.write("20-tree.toml", manifest(id: "lane.event_tree", kind: "lane", library: "libEventTreeLane.so"))
        try box.write("30-fees.toml", manifest(id: "sizing.fee_model", kind: "sizing", library: "libFeeModelStep.so"))
        let universe = box.root + "/universe"
        try FileManager.default.createDirectory(atPath: universe, withIntermediateDirectories: true)
        try
            #"{"monotone_ladders":[{"group_id":"cpi","legs":[{"venue":"kalshi","market_id":"KXCPI-T3.5"},{"venue":"kalshi","market_id":"KXCPI-T3.0"}]}]}"#
            .write(toFile: universe + "/rules.json", atomically: true, encoding: .utf8)
        let quotes = box.root + "/quotes.jsonl"
        try """
        # CPI above 3.5% bid above CPI above 3.0% ask: an implication violated
        {"venue":"kalshi","market":"KXCPI-T3.5","close_time":"2026-12-05T00:00:00Z","yes_bid":"0.50","yes_bid_size":"300","no_bid":"0.45","no_bid_size":"300"}
        {"venue":"kalshi","market":"KXCPI-T3.0","close_time":"2026-12-05T00:00:00Z","yes_bid":"0.38","yes_bid_size":"300","no_bid":"0.58","no_bid_size":"300"}
        """.write(toFile: quotes, atomically: true, encoding: .utf8)
        let scan = try arb(
            [
                "scan", "--plugins-dir", box.pluginsDirectory, "--universe", universe, "--quotes", quotes, "--now",
                "2026-11-25T12:00:00Z",
            ], state: box.stateDirectory)
        #expect(scan.status == 0, "\(scan.output)")
        #expect(scan.output.contains("[lane.event_tree] cpi: kalshi:KXCPI-T3.0:yes@0.42 + kalshi:KXCPI-T3.5:no@0.5"))
        #expect(scan.output.contains("sizing.fee_model keep"))
        let json = try arb(
            [
                "scan", "--plugins-dir", box.pluginsDirectory, "--universe", universe, "--quotes", quotes, "--now",
                "2026-11-25T12:00:00Z", "--json",
            ], state: box.stateDirectory)
        #expect(json.output.split(separator: "\n").count == 1 && json.output.contains("\"laneID\":\"lane.event_tree\""))
        try "{\"venue\":\"kalshi\",\"market\":\"X\",\"yes_bid\":\"1.5\",\"yes_bid_size\":\"1\"}\n".write(
            toFile: quotes, atomically: true, encoding: .utf8)
        let bad = try arb(
            ["scan", "--plugins-dir", box.pluginsDirectory, "--universe", universe, "--quotes", quotes],
            state: box.stateDirectory)
        #expect(bad.status != 0)
        #expect(bad.output.contains("quotes.jsonl:1: yes_bid: a price is between 0 and 1 exclusive"))
    }

    /// The Kalshi plugin, signing with a key made for the run, against the in-process simulator:
    /// the example's price path inverts its ladder, the lane finds it, and the tape replays to
    /// the same findings.
    @Test func kalshiDemoFindsTheScriptedInversionAndReplays() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let demo = try arb(
            [
                "demo", "--duration", "1", "--show-plans", "0", "--plugins-dir", repositoryRoot + "/plugins.d",
                "--kalshi-scenario", repositoryRoot + "/Examples/scenarios/kalshi-small.json", "--universe",
                repositoryRoot + "/Examples/universe/kalshi-small",
            ], state: box.stateDirectory)
        #expect(demo.status == 0, "\(demo.output)")
        #expect(demo.output.contains("venues kalshi: discovering markets"))
        #expect(demo.output.contains("2 markets, 1 groups"))
        let found = try #require(
            demo.output.split(separator: "\n").first { $0.contains("  opportunities lane.event_tree=") })
        let count = found.split(separator: " ").first { $0.hasPrefix("lane.event_tree=") }!
        #expect(demo.output.contains("plugin errors 0"))
        let replay = try arb(
            [
                "replay", box.stateDirectory + "/demo.tape.jsonl", "--plugins-dir",
                box.stateDirectory + "/simulator-demo-plugins.d",
            ], state: box.stateDirectory)
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.output.contains("opportunities \(count);"), "\(replay.output)")
        #expect(replay.output.contains("demo.tape.jsonl ("), "the tape is named, with its size")
        #expect(!replay.output.contains("warning:"))
        // A tape cut off inside a line: the replay stops there, names the line, writes nothing.
        let lines = try String(contentsOfFile: box.stateDirectory + "/demo.tape.jsonl", encoding: .utf8)
            .split(separator: "\n")
        let cut = box.stateDirectory + "/cut.tape.jsonl"
        try (lines.prefix(lines.count / 2).joined(separator: "\n") + "\n" + lines[lines.count / 2].prefix(20))
            .write(toFile: cut, atomically: true, encoding: .utf8)
        let decisions = box.stateDirectory + "/cut.decisions.jsonl"
        let broken = try arb(
            [
                "replay", cut, "--decisions", decisions, "--plugins-dir",
                box.stateDirectory + "/simulator-demo-plugins.d",
            ],
            state: box.stateDirectory)
        #expect(broken.status != 0)
        #expect(broken.output.contains("cut.tape.jsonl:\(lines.count / 2 + 1): not a tape record"), "\(broken.output)")
        #expect(!FileManager.default.fileExists(atPath: decisions), "no decisions from a tape cut short")
    }

    /// Kalshi and Polymarket side by side, each plugin against its simulator, with cross-venue
    /// pairs and a Polymarket neg-risk bucket: the demo trades both, and its tape replays to
    /// the same decisions.
    @Test func kalshiAndPolymarketDemoReplaysToTheSameDecisions() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let demo = try arb(
            [
                "demo", "--duration", "2", "--show-plans", "0", "--plugins-dir", repositoryRoot + "/plugins.d",
                "--kalshi-scenario", repositoryRoot + "/Examples/scenarios/kalshi-small.json",
                "--polymarket-scenario", repositoryRoot + "/Examples/scenarios/polymarket-small.json", "--universe",
                repositoryRoot + "/Examples/universe/kalshi-polymarket-small",
            ], state: box.stateDirectory)
        #expect(demo.status == 0, "\(demo.output)")
        #expect(demo.output.contains("venues kalshi, polymarket: discovering markets"))
        #expect(demo.output.contains("7 markets, 4 groups"), "2 pairs, the bucket and the ladder")
        #expect(demo.output.contains("plugin errors 0"))
        let stored = try #require(demo.output.split(separator: "\n").first { $0.hasPrefix("store: ") })
        let decisions = try #require(
            stored.split(separator: " ").firstIndex(of: "holds").map {
                stored.split(separator: " ")[$0 + 1]
            })
        #expect(Int(decisions) ?? 0 > 0, "the scenario's mispricings are found: \(stored)")
        let replay = try arb(
            [
                "replay", box.stateDirectory + "/demo.tape.jsonl", "--plugins-dir",
                box.stateDirectory + "/simulator-demo-plugins.d",
            ], state: box.stateDirectory)
        #expect(replay.status == 0, "\(replay.output)")
        #expect(replay.output.contains("decisions: \(decisions), sha256"), "\(replay.output)")
        #expect(!replay.output.contains("warning:"))
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
