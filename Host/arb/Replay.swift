import ArgumentParser
import Crypto
import Foundation
import PluginHost

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the pipeline over a recorded tape; the same tape always gives the same decisions.",
        discussion: """
            The venue plugins parse the recorded bytes, the engine evaluates at the recorded times, and
            plugin state starts empty, so two replays of one tape produce byte-identical decisions (compare
            the printed digest, or write them with --decisions). Nothing is sent anywhere.
            """)
    @OptionGroup var host: HostOptions

    @Argument(help: "A tape (JSON Lines) recorded by `arb demo` or `arb run`.")
    var tape: String

    @Flag(help: "Show sizing arms A and B side by side (manifests with arm = \"A\" / \"B\").")
    var ab = false

    @Option(help: "Write every decision here, one JSON object per line.")
    var decisions: String?

    @Option(help: "Evaluate these mappings and rules instead of the tape's universe header.")
    var universe: String?

    func run() throws {
        // Read on a thread of its own as the replay goes, a few megabytes ahead: a day's tape is
        // never held whole, and its reading (about as long as the replay) overlaps it.
        let stream: TapeStream
        do { stream = try TapeStream(path: tape) } catch { throw ValidationError("\(error)") }
        // Requests are matched to the tape, never sent: no real key is read, none is needed.
        let manager = try host.makeManager(state: MemoryStateStore(), keys: try KeyStore.forReplay())
        let report = manager.reload()
        for error in report.errors { print("error: \(error)") }
        if ab, manager.pipeline.sizingB.isEmpty {
            throw ValidationError("--ab needs sizing manifests in arm B (arm = \"B\"); none is enabled")
        }
        var groups: Universe?
        if let universe {
            do { groups = try Universe.load(directory: universe) } catch { throw ValidationError("\(error)") }
        }
        print(String(format: "replaying %@ (%.0f MB), read as it goes", tape, Double(stream.fileSize) / 1e6))
        let result: TapeReplay.Result
        do {
            result = try TapeReplay.run(stream: stream, manager: manager, universe: groups) { done in
                guard done > 0 else { return }
                let percent = stream.fileSize > 0 ? min(100, stream.bytesRead * 100 / stream.fileSize) : 100
                print("  \(done) records replayed; \(percent)% of the file read")
            }
        } catch let error as TapeReader.Malformed {
            // Found mid-replay: nothing is written and no digest is given for a tape cut short.
            throw ValidationError("\(error)")
        }
        let text = result.decisionsText
        let digest = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        if let decisions { try text.write(toFile: decisions, atomically: true, encoding: .utf8) }
        let s = result.summary
        let rate = result.seconds > 0 ? Double(result.records) / result.seconds : 0
        print(
            String(
                format: "%d records in %.2f s (%.0f records/s); %d book updates, %d cycles, %d groups evaluated",
                result.records, result.seconds, rate, s.updates, s.cycles, s.groupsEvaluated))
        print(
            "opportunities \(s.opportunities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")); "
                + "plans A \(s.plansA) B \(s.plansB); paper executions \(s.paperExecutions), PnL $\(PluginHostFormat.dollars(s.pnl))"
        )
        print("data quality: \(s.dataQuality.summary)")
        if result.unmatchedResponses > 0 || result.unknownVenueRecords > 0 {
            print(
                "warning: \(result.unmatchedResponses) responses matched no plugin request, "
                    + "\(result.unknownVenueRecords) records are for venues no enabled plugin reports")
        }
        if !result.pluginDifferences.isEmpty {
            print("warning: these plugins differ from the recorded run's, so decisions may differ:")
            for d in result.pluginDifferences { print("  \(d)") }
        }
        if result.pluginChanges > 0 {
            print(
                "warning: the recorded run changed its plugins \(result.pluginChanges) time(s) while it ran; "
                    + "this replay runs the current ones throughout")
        }
        for e in result.errors.prefix(5) { print("  venue error: \(e)") }
        print("decisions: \(result.decisions.count), sha256 \(digest)")
        if ab { print(ABReport(records: result.abRecords).text) }
    }
}
