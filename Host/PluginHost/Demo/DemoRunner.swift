import CArbPluginAPI
import Foundation
import PluginKit

/// The demo on embedded defaults: the scenario exchange feeds the venue plugins, books are built
/// from their snapshots and deltas, every changed market's group goes through the enabled lanes,
/// and each opportunity through the sizing chain (arms A and B). Until the engine issue lands this
/// is the pipeline's whole loop: no orders are placed.
public final class DemoRunner {
    public struct Summary: Sendable {
        public var markets = 0
        public var updates = 0
        public var gaps = 0
        public var resyncs = 0
        public var opportunities: [String: Int] = [:]
        public var alarms = 0
        public var plansA = 0
        public var plansB = 0
        public var rejectedBy: [String: Int] = [:]
        public var switches = 0
        public var pluginErrors = 0
    }

    let manager: PluginManager
    let exchange: ScenarioExchange
    let output: (String) -> Void
    let clock: @Sendable () -> Int64
    /// Where both arms' plans go when arm B exists (`arb ab report` reads it).
    let recorder: ABRecorder?
    /// How many plans to print with their full sizing trace.
    public var plansToShow = 0
    private var plansShown = 0
    public private(set) var summary = Summary()
    private var books: [String: BinaryBook] = [:]
    private var snapshots: [String: GroupSnapshot] = [:]
    private var markets: [String: MarketRecord] = [:]
    /// Paper account used for the sizing context: $10,000, no drawdown yet.
    let equity: MicroDollars = 10_000 * FixedPoint.micros

    public init(
        manager: PluginManager, exchange: ScenarioExchange = ScenarioExchange(),
        clock: @escaping @Sendable () -> Int64 = HostRuntime.wallClock, recorder: ABRecorder? = nil,
        output: @escaping (String) -> Void
    ) {
        self.recorder = recorder
        self.manager = manager
        self.exchange = exchange
        self.clock = clock
        self.output = output
    }

    /// Runs until `shouldStop` returns true, polling it between batches of stream frames.
    public func run(framesPerBatch: Int = 200, shouldStop: () -> Bool) throws {
        let pipeline = manager.pipeline
        guard let venue = pipeline.venues.first else {
            throw PluginCallError(
                pluginID: "demo", status: Int32(ARB_ERR_NOT_FOUND),
                message: "no venue plugin is enabled in \(manager.directory.path)")
        }
        let session = VenueSession(instance: venue)
        output("venue \(session.venueID): discovering markets")
        try drain(try session.startDiscovery(), session)
        output("venue \(session.venueID): \(markets.count) markets; requesting books")
        for id in markets.keys.sorted() { try drain(try session.requestBook(marketID: id), session) }
        _ = try session.openStream(marketIDs: markets.keys.sorted())
        var lastReport = clock()
        var updatesAtLastReport = 0
        while !shouldStop() {
            for _ in 0..<framesPerBatch {
                let frame = Array(exchange.nextFrame().utf8)
                try drain(try session.handleFrame(frame, receivedAt: clock()), session)
            }
            if let report = manager.reloadIfChanged() {
                summary.switches += report.switched ? 1 : 0
                output(
                    "plugins.d changed: generation \(report.generation), loaded \(report.loaded), unloaded \(report.unloaded)"
                )
                report.errors.forEach { output("  error: \($0)") }
            }
            let now = clock()
            if now - lastReport >= 1_000_000_000 {
                let rate = Double(summary.updates - updatesAtLastReport) * 1e9 / Double(now - lastReport)
                output(progressLine(rate: rate))
                lastReport = now
                updatesAtLastReport = summary.updates
            }
        }
    }

    public func progressLine(rate: Double) -> String {
        let byLane = summary.opportunities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
            separator: " ")
        return String(
            format:
                "markets %d  updates %d (%.0f/s)  gaps %d  opportunities [%@]  alarms %d  plans A %d B %d  pipeline gen %d",
            summary.markets, summary.updates, rate, summary.gaps, byLane, summary.alarms, summary.plansA,
            summary.plansB, manager.pipeline.generation)
    }

    private func drain(_ events: [VenueEvent], _ session: VenueSession) throws {
        var queue = events[...]
        while let event = queue.popFirst() {
            switch event {
            case .market(let m):
                if markets[m.marketID] == nil { summary.markets += 1 }
                markets[m.marketID] = m
            case .request(let r):
                let response = exchange.perform(r, now: clock())
                queue.append(contentsOf: try session.handle(response))
            case .book(let update):
                books[update.marketID, default: BinaryBook()].apply(update)
                summary.updates += 1
                evaluate(marketID: update.marketID)
            case .gap(let marketID, _):
                summary.gaps += 1
                summary.resyncs += 1
                queue.append(contentsOf: try session.requestBook(marketID: marketID))
            case .streamOpen, .streamSend, .order, .fill, .balance, .position:
                // The demo places no orders; streams are served in-process.
                break
            }
        }
    }

    /// Runs the lanes on the market's group, then the sizing chains on what they find.
    private func evaluate(marketID: String) {
        guard let market = markets[marketID], let book = books[marketID] else { return }
        let snapshot = snapshots[marketID] ?? GroupSnapshot(kind: .single, groupID: marketID, markets: [market])
        snapshots[marketID] = snapshot
        let now = clock()
        snapshot.setQuote(book.quote(receivedAt: now), at: 0)
        snapshot.setNow(now)
        let pipeline = manager.pipeline  // held for the whole cycle: a swap takes effect next cycle
        for lane in pipeline.lanes {
            let found: [FoundOpportunity]
            do {
                found = try lane.evaluate(snapshot)
            } catch {
                summary.pluginErrors += 1
                continue
            }
            for opportunity in found {
                summary.opportunities[lane.manifest.id, default: 0] += 1
                if opportunity.isDataQualityAlarm { summary.alarms += 1 }
                let planA = runChain(pipeline.sizingA, opportunity, snapshot)
                if planA.isAccepted { summary.plansA += 1 }
                if plansShown < plansToShow {
                    plansShown += 1
                    output(Self.describe(planA, opportunity, market: markets[marketID]))
                }
                guard !pipeline.sizingB.isEmpty else { continue }
                let planB = runChain(pipeline.sizingB, opportunity, snapshot)
                if planB.isAccepted { summary.plansB += 1 }
                if let recorder {
                    let record = ABRecord(
                        opportunityID: opportunity.id(groupID: snapshot.groupID), laneID: lane.manifest.id, time: now,
                        edge: opportunity.edge, a: ABRecord.arm(planA, edge: opportunity.edge),
                        b: ABRecord.arm(planB, edge: opportunity.edge))
                    do { try recorder.append(record) } catch { summary.pluginErrors += 1 }
                }
            }
        }
    }

    /// A plan and its trace, one line per step.
    static func describe(_ plan: SizingPlan, _ o: FoundOpportunity, market: MarketRecord?) -> String {
        func dollars(_ m: Int64) -> String { "$" + FixedPoint.format(m, scale: FixedPoint.micros) }
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        let legs = o.legs.map { "\($0.side == .yes ? "YES" : "NO") @ \(dollars($0.limitPrice))" }.joined(
            separator: " + ")
        let outcome =
            plan.isAccepted
            ? "\(FixedPoint.format(plan.baskets, scale: FixedPoint.centi)) baskets"
            : "rejected by \(plan.rejectedBy ?? "?")"
        var lines = [
            "plan for \(market?.marketID ?? "?") [\(o.laneID)]: \(legs), edge \(dollars(o.edge))/basket, lane size "
                + "\(FixedPoint.format(o.maxBaskets, scale: FixedPoint.centi)) → \(outcome)"
        ]
        for step in plan.trace {
            let numbers = step.metrics.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            lines.append(
                "  \(pad(step.stepID, 24)) \(pad(step.verdictName, 6)) \(pad(FixedPoint.format(step.baskets, scale: FixedPoint.centi), 6)) "
                    + "\(step.reason)  \(numbers)")
        }
        return lines.joined(separator: "\n")
    }

    /// Runs one arm's chain; counts failures and rejections.
    private func runChain(
        _ steps: [PluginInstance], _ opportunity: FoundOpportunity, _ snapshot: GroupSnapshot
    ) -> SizingPlan {
        var inputs = SizingInputs(equity: equity)
        inputs.now = clock()
        // The same basket always gets the same seed: Monte Carlo verdicts replay identically.
        let seed = UInt64(opportunity.id(groupID: snapshot.groupID), radix: 16) ?? 0
        let plan = SizingChain.run(steps, opportunity, inputs: inputs, seed: seed, group: snapshot)
        if plan.failure != nil { summary.pluginErrors += 1 }
        if let step = plan.rejectedBy { summary.rejectedBy[step, default: 0] += 1 }
        return plan
    }
}
