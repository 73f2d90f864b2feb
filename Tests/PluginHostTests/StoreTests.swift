import Foundation
import PluginHost
import PluginKit
import Testing

@Suite(.serialized) struct StoreTests {
    /// A demo run with the store attached: every decision and paper fill is a row, with integer
    /// money, and the rows survive reopening the file.
    @Test func decisionsAndPaperFillsAreKept() throws {
        let (box, manager) = try LaneTests.loadLanes()
        defer { box.remove() }
        try box.write(
            "05-sim.toml",
            manifest(id: "venue.sim", kind: "venue", library: "libSimVenue.so", config: "base_url = \"sim://local\""))
        #expect(manager.reload().errors.isEmpty)
        let path = box.root + "/state/arb.sqlite"
        let store = try ArbStore(path: path)
        let runner = try DemoRunner(manager: manager, clock: { 1_764_072_000_000_000_000 }, output: { _ in })
        runner.engine.store = store
        var decisions: [Decision] = []
        runner.engine.onDecision = { decisions.append($0) }
        var batches = 0
        runner.run(framesPerBatch: 400) {
            batches += 1
            return batches > 4
        }
        let s = runner.engine.summary
        #expect(s.storeErrors == 0)
        #expect(s.paperExecutions > 0)
        let counts = try store.counts()
        #expect(counts.decisions == Int64(decisions.count))
        #expect(try store.paperPnL() == s.pnl, "the store's P&L is the engine's, to the micro-dollar")
        // Reopened: the rows are still there.
        let again = try ArbStore(path: path)
        #expect(try again.counts().decisions == counts.decisions)
        #expect(try again.counts().fills == counts.fills && counts.fills >= Int64(s.paperExecutions))
    }

    @Test func pluginStateRoundTripsAndSurvivesReopening() throws {
        let path = NSTemporaryDirectory() + "store-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ArbStore(path: path)
        #expect(store.value(pluginID: "lane.bucket", key: "posteriors") == nil)
        try store.setValue([1, 2, 3], pluginID: "lane.bucket", key: "posteriors")
        try store.setValue([4], pluginID: "lane.bucket", key: "posteriors")
        try store.setValue([], pluginID: "sizing.drawdown", key: "halt")
        #expect(store.value(pluginID: "lane.bucket", key: "posteriors") == [4])
        #expect(try ArbStore(path: path).value(pluginID: "sizing.drawdown", key: "halt") == [])
    }

    @Test func aFileFromAnotherSchemaIsRefused() throws {
        let path = NSTemporaryDirectory() + "store-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try ArbStore(path: path)
        // Simulate a file written by a future version.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = [
            "python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE meta SET value=9 WHERE key='schema'\"); c.commit()",
            path,
        ]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect { try ArbStore(path: path) } throws: { "\($0)".contains("has schema 9; this arb writes 1") }
    }
}
