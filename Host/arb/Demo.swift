import ArgumentParser
import Foundation
import PluginHost
import Synchronization

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the pipeline on the built-in scenario exchange (paper; no orders are sent).")
    @OptionGroup var host: HostOptions

    @Option(help: "Seconds to run (Ctrl-C stops earlier).")
    var duration: Double = 10

    @Option(name: .customLong("show-plans"), help: "Print the first N plans of arm A with their sizing trace.")
    var showPlans: Int = 2

    func run() throws {
        let manager = try host.makeManager()
        let report = manager.reload()
        print(PluginTable.render(manager.statuses))
        for error in report.errors { print("error: \(error)") }
        let stop = Atomic<Bool>(false)
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { stop.store(true, ordering: .relaxed) }
        source.resume()
        let deadline = Date().addingTimeInterval(duration)
        // Both arms' plans go to the A/B record for `arb ab report`.
        let abPath = "\(host.stateDirectory)/ab.jsonl"
        let recorder = manager.pipeline.sizingB.isEmpty ? nil : try ABRecorder(path: abPath)
        let runner = DemoRunner(manager: manager, recorder: recorder, output: { print($0) })
        runner.plansToShow = showPlans
        do {
            try runner.run { stop.load(ordering: .relaxed) || Date() >= deadline }
        } catch {
            print("demo stopped: \(error)")
            throw ExitCode.failure
        }
        let s = runner.summary
        print(
            "summary: markets \(s.markets), book updates \(s.updates), gaps resynced \(s.resyncs), "
                + "opportunities \(s.opportunities.values.reduce(0, +)) (alarms \(s.alarms)), plans A \(s.plansA) B \(s.plansB), "
                + "rejections \(s.rejectedBy), pipeline switches \(s.switches), plugin errors \(s.pluginErrors)")
        if let recorder { print("A/B: \(recorder.count) records appended to \(abPath) — see `arb ab report`") }
    }
}
