import ArgumentParser
import Crypto
import Foundation
import KalshiSim
import PluginHost
import PolymarketSim
import Synchronization
import _CryptoExtras

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

    @Flag(
        name: .customLong("conflate"),
        help: "Evaluate once per batch of 200 frames taken together (as a reader's queue after a burst), not per frame."
    )
    var conflate = false

    @Option(help: "Where to record the tape (default <state-dir>/demo.tape.jsonl).")
    var tape: String?

    @Option(help: "Mappings and rules to evaluate besides the scenario's own groups (a universe folder).")
    var universe: String?

    @Option(
        name: .customLong("kalshi-scenario"),
        help: "Run the Kalshi plugin against the Kalshi simulator in-process on this scenario instead.")
    var kalshiScenario: String?

    @Option(
        name: .customLong("polymarket-scenario"),
        help: """
            Run the Polymarket plugin against the Polymarket simulator in-process on this scenario instead \
            (with --kalshi-scenario too: both venues side by side).
            """)
    var polymarketScenario: String?

    func run() throws {
        let store = try host.openStore()
        var exchange: any DemoExchange = ScenarioExchange()
        var pluginsDirectory: String?
        var keys: KeyStore?
        if kalshiScenario != nil || polymarketScenario != nil {
            // The lanes and sizing steps of plugins.d, with the venues pointed at the simulators.
            let folder = try SimulatorDemo.pluginsDirectory(host: host)
            var exchanges: [any DemoExchange] = []
            if let kalshiScenario {
                let kalshi = try KalshiDemo.prepare(scenario: kalshiScenario, pluginsDirectory: folder)
                exchanges.append(kalshi.exchange)
                keys = kalshi.keys
            }
            if let polymarketScenario {
                exchanges.append(try PolymarketDemo.prepare(scenario: polymarketScenario, pluginsDirectory: folder))
            }
            exchange = exchanges.count == 1 ? exchanges[0] : CombinedExchange(exchanges)
            pluginsDirectory = folder
        }
        let manager = try host.makeManager(state: store, pluginsDirectory: pluginsDirectory, keys: keys)
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
            var groups = Universe()
            if let universe { groups = try Universe.load(directory: universe) }
            runner = try DemoRunner(
                manager: manager, exchange: exchange, universe: groups, recorder: recorder, tape: writer,
                output: { print($0) })
        } catch {
            throw ValidationError("\(error)")
        }
        runner.plansToShow = showPlans
        runner.engine.store = store
        runner.run(conflate: conflate) { stop.load(ordering: .relaxed) || Date() >= deadline }
        print(runner.summaryText)
        if let (decisions, fills) = try? store.counts() {
            print("store: \(store.path) holds \(decisions) decisions and \(fills) paper fills (all runs)")
        }
        for error in runner.driver.errors.prefix(5) { print("  venue error: \(error)") }
        print("tape: \(writer.count) messages recorded to \(tapePath) — replay with `arb replay \(tapePath)`")
        if let recorder { print("A/B: \(recorder.count) records appended to \(abPath) — see `arb ab report`") }
    }
}

/// `arb demo --kalshi-scenario FILE`: the Kalshi plugin, signing with a key made for this run,
/// against the in-process Kalshi simulator that knows only that key's public half.
enum KalshiDemo {
    static let keyName = "kalshi-sim-demo"
    static let keyID = "demo-key-id"

    static func prepare(scenario path: String, pluginsDirectory folder: String) throws -> (
        exchange: KalshiDemoExchange, keys: KeyStore
    ) {
        let scenario: KalshiScenario
        do { scenario = try KalshiScenario.load(path: path) } catch { throw ValidationError("\(error)") }
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let simulator: KalshiSimulator
        do {
            simulator = try KalshiSimulator(
                scenario: scenario, publicKeys: [keyID: key.publicKey], clock: HostRuntime.wallClock)
        } catch { throw ValidationError("\(error)") }
        try """
        # Written by `arb demo --kalshi-scenario`: the Kalshi plugin against the in-process simulator.
        id = "venue.kalshi"
        kind = "venue"
        library = "libKalshiVenue.so"
        enabled = true
        order = 10

        [config]
        rest_url = "https://kalshi-simulator.invalid/trade-api/v2"
        ws_url = "wss://kalshi-simulator.invalid/trade-api/ws/v2"
        key_id = "\(keyID)"
        signer_key = "\(keyName)"

        # Kalshi's Basic tier, as in plugins.d: the host paces the plugin's requests by these.
        [rate_limits]
        read = { per_second = 200, capacity = 400 }
        write = { per_second = 100, capacity = 100 }
        """.write(toFile: "\(folder)/010-venue-kalshi-simulator.toml", atomically: true, encoding: .utf8)
        let keys = KeyStore(keys: [.init(name: keyName, material: .rsa(key), allowedPlugins: ["venue.kalshi"])])
        return (KalshiDemoExchange(simulator: simulator), keys)
    }
}

/// What the simulator demos share: a plugins.d of their own.
enum SimulatorDemo {
    /// `<state>/simulator-demo-plugins.d`, made anew with every lane and sizing manifest of
    /// plugins.d and none of its venues: the demo writes the venues it simulates.
    static func pluginsDirectory(host: HostOptions) throws -> String {
        let folder = "\(host.stateDirectory)/simulator-demo-plugins.d"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: host.pluginsDirectory).sorted()
        where name.hasSuffix(".toml") {
            let text = try String(contentsOfFile: "\(host.pluginsDirectory)/\(name)", encoding: .utf8)
            guard !text.contains("kind = \"venue\"") else { continue }
            try text.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        }
        return folder
    }
}

/// `arb demo --polymarket-scenario FILE`: the Polymarket plugin against the in-process
/// Polymarket simulator (public market data: no key).
enum PolymarketDemo {
    static func prepare(scenario path: String, pluginsDirectory folder: String) throws -> PolymarketDemoExchange {
        let simulator: PolymarketSimulator
        do {
            simulator = try PolymarketSimulator(
                scenario: try PolymarketScenario.load(path: path), clock: HostRuntime.wallClock)
        } catch { throw ValidationError("\(error)") }
        try """
        # Written by `arb demo --polymarket-scenario`: the Polymarket plugin against the in-process simulator.
        id = "venue.polymarket"
        kind = "venue"
        library = "libPolymarketVenue.so"
        enabled = true
        order = 11

        [config]
        gamma_url = "https://polymarket-simulator.invalid"
        clob_url = "https://polymarket-simulator.invalid"
        ws_url = "wss://polymarket-simulator.invalid/ws/market"

        # Polymarket's published limits (per 10 s: Gamma /markets 300, CLOB /book 1,500).
        [rate_limits]
        gamma = { per_second = 30, capacity = 300 }
        book = { per_second = 150, capacity = 1500 }
        """.write(toFile: "\(folder)/011-venue-polymarket-simulator.toml", atomically: true, encoding: .utf8)
        return PolymarketDemoExchange(simulator: simulator)
    }
}
