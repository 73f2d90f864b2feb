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
        let runner = DemoRunner(manager: manager, output: { print($0) })
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
    }
}
