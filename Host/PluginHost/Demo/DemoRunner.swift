import CArbPluginAPI
import Foundation
import PluginKit

/// The demo on embedded defaults: the built-in scenario exchange serves the venue plugins
/// (`arb-sim/1`, one or two venues), the engine runs in paper mode over the scenario's
/// universe (pairs, buckets, ladders, parities), every message is recorded to a tape that
/// `arb replay` can run again, and a progress line is printed every second.
public final class DemoRunner {
    public let manager: PluginManager
    public let exchange: any DemoExchange
    public let engine: Engine
    public let driver: VenueDriver
    let output: (String) -> Void
    let clock: @Sendable () -> Int64

    /// - Parameter universe: groups to evaluate besides the exchange's own.
    public init(
        manager: PluginManager, exchange: any DemoExchange = ScenarioExchange(), universe: Universe = Universe(),
        clock: @escaping @Sendable () -> Int64 = HostRuntime.wallClock, recorder: ABRecorder? = nil,
        tape: TapeWriter? = nil, options: Engine.Options = Engine.Options(), output: @escaping (String) -> Void
    ) throws {
        self.manager = manager
        self.exchange = exchange
        self.clock = clock
        self.output = output
        let venues = manager.pipeline.venues
        let served = try exchange.bind(venues)
        guard !served.isEmpty else {
            throw PluginCallError(
                pluginID: "demo", status: Int32(ARB_ERR_NOT_FOUND),
                message: "no enabled venue plugin is served by the demo exchange (plugins.d: \(manager.directory.path))"
            )
        }
        var groups = universe
        for rule in exchange.rules() { groups.add(rule) }
        engine = Engine(manager: manager, universe: groups, options: options)
        engine.recorder = recorder
        // The tape starts with the universe, so `arb replay` evaluates the same groups.
        try tape?.append(.universe(groups.groups, at: clock()))
        driver = VenueDriver(engine: engine, venues: venues.filter { served.contains($0.venueID ?? "") }, tape: tape) {
            venue, request, now in exchange.perform(venue: venue, request, now: now)
        }
        driver.streamOpen = { venue, url, headers in exchange.streamOpen(venue: venue, url: url, headers: headers) }
        driver.streamSend = { venue, text in exchange.streamSend(venue: venue, text) }
    }

    /// Bounded ingest per venue (see ``IngestQueue`` for the overflow policy).
    private var queues: [String: IngestQueue] = [:]
    public var ingestCapacity = 65_536

    func queue(_ venue: String) -> IngestQueue {
        if let q = queues[venue] { return q }
        let q = IngestQueue(venue: venue, capacity: ingestCapacity)
        queues[venue] = q
        return q
    }

    /// How many plans to print with their full sizing trace.
    public var plansToShow: Int {
        get { engine.plansToShow }
        set {
            engine.plansToShow = newValue
            engine.planPrinter = output
        }
    }

    /// Runs until `shouldStop` returns true, polling it between batches of stream frames.
    ///
    /// Each frame goes through its venue's ingest queue and is drained at once, so the engine
    /// cycles after every frame, as it would for frames arriving one at a time. `conflate: true`
    /// treats each batch as frames a network reader queued while the engine was busy: one cycle
    /// after the batch, on the books it left. The tape records which, so a replay follows.
    public func run(framesPerBatch: Int = 200, conflate: Bool = false, shouldStop: () -> Bool) {
        output("venues \(driver.venueIDs.joined(separator: ", ")): discovering markets")
        let start = clock()
        driver.recordPlugins(manager.pipeline, at: start)
        driver.start(now: start)
        output(
            "\(engine.summary.markets) markets, \(engine.universe.groups.count) groups "
                + "(pairs, buckets, ladders, parities); streaming")
        var lastReport = clock()
        var updatesAtLastReport = 0
        while !shouldStop() {
            // Frames go through their venue's bounded ingest queue, as a network reader's would;
            // drained at once here, so frames of different venues keep their arrival order.
            for _ in 0..<framesPerBatch {
                guard let (venue, frame) = exchange.nextFrame() else { break }
                let q = queue(venue)
                q.push(Array(frame.utf8), receivedAt: clock())
                driver.receive(from: q, endBatch: !conflate)
            }
            driver.endBatch()
            if let report = manager.reloadIfChanged() {
                driver.recordPlugins(manager.pipeline, at: clock())
                output(
                    "plugins.d changed: generation \(report.generation), loaded \(report.loaded), unloaded \(report.unloaded)"
                )
                report.errors.forEach { output("  error: \($0)") }
            }
            let now = clock()
            driver.pump(now: now)
            driver.checkStreams(now: now)
            if now - lastReport >= 1_000_000_000 {
                let rate = Double(engine.summary.updates - updatesAtLastReport) * 1e9 / Double(now - lastReport)
                output(progressLine(rate: rate))
                lastReport = now
                updatesAtLastReport = engine.summary.updates
            }
        }
    }

    public func progressLine(rate: Double) -> String {
        let s = engine.summary
        let byLane = s.opportunities.sorted { $0.key < $1.key }.map {
            "\($0.key.replacingOccurrences(of: "lane.", with: ""))=\($0.value)"
        }
        .joined(separator: " ")
        return String(
            format:
                "markets %d  updates %d (%.0f/s)  opportunities [%@]  plans A %d B %d  paper fills %d  PnL $%@  "
                + "quarantined %d  gen %d",
            s.markets, s.updates, rate, byLane, s.plansA, s.plansB, s.paperExecutions,
            FixedPoint.format(s.pnl, scale: FixedPoint.micros), s.dataQuality.total, manager.pipeline.generation)
    }

    /// The closing summary.
    public var summaryText: String {
        let s = engine.summary
        return """
            summary: markets \(s.markets), book updates \(s.updates), cycles \(s.cycles), groups evaluated \(s.groupsEvaluated)
              opportunities \(s.opportunities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) \
            (alarms \(s.alarms), duplicates \(s.duplicates), repeat sightings not re-executed \(s.cooldownSkips))
              plans A \(s.plansA) B \(s.plansB), rejections \(s.rejectedBy.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
              paper: \(s.paperExecutions) executions, \(FixedPoint.format(s.paperBaskets, scale: FixedPoint.centi)) baskets, \
            \(s.incomplete) incomplete, PnL $\(FixedPoint.format(s.pnl, scale: FixedPoint.micros))
              ingest: \(queues.values.map(\.dropped.frames).reduce(0, +)) frames dropped in \(queues.values.map(\.dropped.overflows).reduce(0, +)) overflows (queues of \(ingestCapacity))
              requests: \(driver.requestStats.paced) paced by rate limits, \(driver.requestStats.refused) refused (429), \
            \(driver.requestStats.retried) retried, \(driver.requestStats.failed) failed, \(driver.requestStats.resigned) signed again
              data quality: \(s.dataQuality.summary); plugin errors \(s.pluginErrors + driver.errors.count), store errors \(s.storeErrors)
            """
    }
}
