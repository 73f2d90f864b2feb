import Foundation
import PluginHost
import Testing

struct ABReportTests {
    func record(_ id: String, a: Int64, b: Int64, rejectedB: String? = nil) -> ABRecord {
        ABRecord(
            opportunityID: id, laneID: "lane.x", time: 0, edge: 10_000,
            a: .init(baskets: a, rejectedBy: nil, expectedProfit: a * 100, simulatedPnL: a * 100),
            b: .init(baskets: b, rejectedBy: rejectedB, expectedProfit: b * 100, simulatedPnL: b * 100))
    }

    @Test func pairedDifferenceByHand() {
        // Differences B − A in simulated P&L: (200−100)·100 = 10,000; (300−100)·100 = 20,000; (0−100)·100 = −10,000.
        // Mean 6,666.67; sample sd = √(((3,333.3)² + (13,333.3)² + (16,666.7)²)/2) = 15,275.25; SE = 8,819.17; t = 0.7559.
        let report = ABReport(records: [
            record("1", a: 100, b: 200), record("2", a: 100, b: 300),
            record("3", a: 100, b: 0, rejectedB: "sizing.kelly_fractional"),
        ])
        #expect(report.opportunities == 3)
        #expect(report.a.accepted == 3)
        #expect(report.b.accepted == 2)
        #expect(report.b.rejectionsByStep == ["sizing.kelly_fractional": 1])
        #expect(report.a.contracts == 300)
        #expect(abs(report.meanDifference - 6_666.667) < 0.01)
        #expect(abs(report.standardError - 8_819.171) < 0.01)
        #expect(abs(report.tStatistic - 0.755929) < 1e-5)
        #expect(abs(report.pValue - 0.449692) < 1e-5, "two-sided normal p for |t| = 0.756")
        #expect(report.text.contains("not significant at 5%"))
    }

    @Test func demoRecordsBothArmsAndTheReportReadsThem() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write("22-lane.toml", manifest(id: "lane.bucket", kind: "lane", library: "libBucketLane.so"))
        try box.write(
            "40-kelly.toml",
            manifest(id: "sizing.kelly", kind: "sizing", library: "libKellyStep.so", extra: "arm = \"A\""))
        try box.write(
            "41-frac.toml",
            manifest(
                id: "sizing.kelly_fractional", kind: "sizing", library: "libFractionalKellyStep.so",
                extra: "arm = \"B\""))
        let manager = box.makeManager()
        manager.reload()
        let path = box.root + "/ab.jsonl"
        let recorder = try ABRecorder(path: path)
        let runner = try DemoRunner(manager: manager, clock: { 1_000 }, recorder: recorder, output: { _ in })
        var batches = 0
        runner.run(framesPerBatch: 500) {
            batches += 1
            return batches > 4
        }
        let records = try ABReport.load(path: path)
        #expect(records.count == recorder.count)
        let s = runner.engine.summary
        #expect(records.count > 0)
        #expect(records.count == (s.opportunities["lane.bucket"] ?? 0) - s.duplicates - s.alarms)
        let report = ABReport(records: records)
        #expect(report.a.accepted == s.plansA)
        #expect(report.b.accepted == s.plansB)
        #expect(
            Set(records.map(\.opportunityID)).count <= records.count, "ids repeat when the same basket is seen again")
        // A corrupt line is named.
        try "not json\n".write(toFile: box.root + "/bad.jsonl", atomically: true, encoding: .utf8)
        #expect(throws: ABReportError.self) { try ABReport.load(path: box.root + "/bad.jsonl") }
    }
}
