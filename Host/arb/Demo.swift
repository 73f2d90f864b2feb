import ArgumentParser
import Foundation
import PluginHost
import Synchronization

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the engine in paper mode on the built-in scenario exchange (no orders are sent).",
        discussion: """
            Every message the venues send is recorded to <state-dir>/demo.tape.jsonl; run it again with
            `arb replay <state-dir>/demo.tape.jsonl` (add --ab to compare the sizing arms).
            """)
    @OptionGroup var host: HostOptions

    @Option(help: "Seconds to run (Ctrl-C stops earlier).")
    var duration: Double = 10

    @Option(name: .customLong("show-plans"), help: "Print the first N plans of arm A with their sizing trace.")
    var showPlans: Int = 2

    @Option(help: "Where to record the tape (default <state-dir>/demo.tape.jsonl).")
    var tape: String?

    func run() throws {
        let store = try host.openStore()
        let manager = try host.makeManager(state: store)
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
        let tapePath = tape ?? "\(host.stateDirectory)/demo.tape.jsonl"
        let writer = try TapeWriter(path: tapePath)
        let runner: DemoRunner
        do {
            runner = try DemoRunner(manager: manager, recorder: recorder, tape: writer, output: { print($0) })
        } catch {
            throw ValidationError("\(error)")
        }
        runner.plansToShow = showPlans
        runner.engine.store = store
        runner.run { stop.load(ordering: .relaxed) || Date() >= deadline }
        print(runner.summaryText)
        if let (decisions, fills) = try? store.counts() {
            print("store: \(store.path) holds \(decisions) decisions and \(fills) paper fills (all runs)")
        }
        for error in runner.driver.errors.prefix(5) { print("  venue error: \(error)") }
        print("tape: \(writer.count) messages recorded to \(tapePath) — replay with `arb replay \(tapePath)`")
        if let recorder { print("A/B: \(recorder.count) records appended to \(abPath) — see `arb ab report`") }
    }
}
