import Foundation
import PluginHost
import PluginKit
import Testing

struct QuoteFirewallTests {
    static func update(_ kind: BookUpdate.Kind = .delta, yes: [Level] = [], no: [Level] = []) -> BookUpdate {
        var u = BookUpdate(kind: kind, marketID: "M")
        u.yesBids = yes
        u.noBids = no
        return u
    }

    @Test func rangeAndTickGrid() {
        let f = QuoteFirewall()
        #expect(f.checkLevels(Self.update(yes: [Level(price: 450_000, size: 100)]), tick: 10_000) == nil)
        #expect(f.checkLevels(Self.update(yes: [Level(price: 455_000, size: 100)]), tick: 10_000) == .offTick)
        #expect(f.checkLevels(Self.update(yes: [Level(price: 455_000, size: 100)]), tick: 1_000) == nil)
        #expect(f.checkLevels(Self.update(no: [Level(price: 1_000_000, size: 100)]), tick: 10_000) == .outOfRange)
        #expect(f.checkLevels(Self.update(no: [Level(price: 0, size: 100)]), tick: 10_000) == .outOfRange)
        #expect(f.checkLevels(Self.update(no: [Level(price: 500_000, size: -1)]), tick: 10_000) == .outOfRange)
    }

    @Test func crossedAndLockedBooks() {
        var f = QuoteFirewall()
        var book = BinaryBook()
        book.apply(
            Self.update(.snapshot, yes: [Level(price: 450_000, size: 100)], no: [Level(price: 530_000, size: 100)]))
        #expect(f.checkBook(&book, market: 0) == nil)
        book.apply(Self.update(no: [Level(price: 550_000, size: 100)]))  // YES bid 0.45 = YES ask 1 − 0.55
        #expect(f.checkBook(&book, market: 0) == .locked)
        book.apply(Self.update(no: [Level(price: 580_000, size: 100)]))
        #expect(f.checkBook(&book, market: 0) == .crossed)
    }

    /// ForecastEx pairs a YES and a NO bid at $1.01: its derived asks are 1.01 − the other side's
    /// bid, and a book is locked when its bids sum to 1.01, crossed above (not at $1, as on Kalshi).
    @Test func derivedAsksFollowTheVenuesPairPrice() {
        var book = BinaryBook()
        book.pairPrice = 1_010_000
        book.apply(
            Self.update(
                .snapshot, yes: [Level(price: 410_000, size: 100), Level(price: 400_000, size: 50)],
                no: [Level(price: 550_000, size: 200)]))
        #expect(book.bestYesAsk == Level(price: 460_000, size: 200), "1.01 − 0.55")
        #expect(book.bestNoAsk == Level(price: 600_000, size: 100), "1.01 − 0.41")
        #expect(book.asks(.no) == [Level(price: 600_000, size: 100), Level(price: 610_000, size: 50)])
        var f = QuoteFirewall()
        #expect(f.checkBook(&book, market: 0) == nil)
        book.apply(Self.update(no: [Level(price: 600_000, size: 10)]))  // 0.41 + 0.60 = 1.01: they would trade
        #expect(f.checkBook(&book, market: 0) == .locked)
        book.apply(Self.update(no: [Level(price: 610_000, size: 10)]))
        #expect(f.checkBook(&book, market: 0) == .crossed)
        // The same bids under Kalshi's $1 pairing were already crossed at 0.41 + 0.60.
        var kalshi = BinaryBook()
        kalshi.apply(
            Self.update(.snapshot, yes: [Level(price: 410_000, size: 100)], no: [Level(price: 600_000, size: 10)]))
        #expect(f.checkBook(&kalshi, market: 1) == .crossed)
    }

    /// Small moves teach the market's noise; a 30-cent print is held once, a confirmed move passes.
    @Test func jumpsAreHeldUntilConfirmed() {
        var f = QuoteFirewall()
        var rng = SplitMix64(seed: 7)
        var mid: MicroDollars = 500_000
        for _ in 0..<40 {
            mid += (MicroDollars(rng.below(3)) - 1) * 10_000
            #expect(f.checkJumpForTest(mid: mid) == nil, "ordinary one-tick moves pass")
        }
        #expect(f.checkJumpForTest(mid: mid + 300_000) == .jump)
        #expect(f.checkJumpForTest(mid: mid) == nil, "the print was not confirmed: back to normal")
        #expect(f.checkJumpForTest(mid: mid + 300_000) == .jump)
        #expect(f.checkJumpForTest(mid: mid + 310_000) == nil, "confirmed by the next update")
        #expect(f.checkJumpForTest(mid: mid + 300_000) == nil)
    }
}

extension QuoteFirewall {
    /// The jump test alone, on market 0, through a two-sided book with that mid.
    mutating func checkJumpForTest(mid: MicroDollars) -> QuoteRejection? {
        var book = BinaryBook()
        var u = BookUpdate(kind: .snapshot, marketID: "M")
        u.yesBids = [Level(price: mid - 10_000, size: 100)]
        u.noBids = [Level(price: FixedPoint.micros - mid - 10_000, size: 100)]
        book.apply(u)
        return checkBook(&book, market: 0)
    }
}

@Suite(.serialized) struct EngineTests {
    /// A demo run recorded to a tape, replayed twice: the same decisions, byte for byte, as live.
    /// A venue plugin's pair price (ABI 1.3) reaches the engine's books and the lanes' quotes.
    @Test func aForecastExLikeVenuesAsksAreDerivedAtItsPairPrice() throws {
        let box = try Sandbox()
        defer { box.remove() }
        try box.write(
            "05-sim.toml",
            manifest(
                id: "venue.sim", kind: "venue", library: "libSimVenue.so",
                config: "venue_id = \"sim\"\nbase_url = \"sim://local\"\npair_price = \"1.01\""))
        let manager = box.makeManager()
        #expect(manager.reload().errors.isEmpty)
        let runner = try DemoRunner(manager: manager, output: { _ in })
        runner.driver.start(now: 1_764_072_000_000_000_000)
        let ids = runner.driver.marketIDs(of: "sim")
        #expect(!ids.isEmpty)
        var checked = 0
        for id in ids {
            let key = MarketKey(venue: "sim", marketID: id)
            #expect(runner.engine.market(key)?.pairPrice == 1_010_000)
            guard let book = runner.engine.book(key), let noBid = book.bestNoBid, let yesAsk = book.bestYesAsk
            else { continue }
            #expect(yesAsk.price == 1_010_000 - noBid.price, "\(id)")
            checked += 1
        }
        #expect(checked > 10)
        // A pair price outside 1…1.10 is refused with the reason.
        try box.write(
            "05-sim.toml",
            manifest(
                id: "venue.sim", kind: "venue", library: "libSimVenue.so", config: "pair_price = \"0.99\""))
        #expect(manager.reload().errors.contains { "\($0)".contains("pair_price must be between 1 and 1.10") })
    }

    /// The five lanes, SimVenue `sim`, the drawdown step and the manifests in `also`, loaded.
    static func lanesWithSimVenue(also: [String: String] = [:]) throws -> (Sandbox, PluginManager) {
        let (box, manager) = try LaneTests.loadLanes()
        try box.write(
            "05-sim.toml",
            manifest(
                id: "venue.sim", kind: "venue", library: "libSimVenue.so",
                config: "venue_id = \"sim\"\nbase_url = \"sim://local\""))
        try box.write("90-dd.toml", manifest(id: "sizing.drawdown", kind: "sizing", library: "libDrawdownStep.so"))
        for (name, text) in also { try box.write(name, text) }
        #expect(manager.reload().errors.isEmpty)
        return (box, manager)
    }

    /// Both cycle policies: after every frame (the default) and once per batch of 400 frames.
    /// Venue `simb` falls silent for 400 frames midway, so its stream goes stale, is withheld
    /// and reopened: the replay must do that at the same points.
    @Test(arguments: [false, true])
    func replayOfADemoTapeDecidesExactlyAsTheLiveRun(conflate: Bool) throws {
        let (box, manager) = try Self.lanesWithSimVenue(also: [
            "06-simb.toml": manifest(
                id: "venue.simb", kind: "venue", library: "libSimVenue.so",
                config: "venue_id = \"simb\"\nbase_url = \"sim://b\""),
            "91-mc.toml": manifest(id: "sizing.monte_carlo", kind: "sizing", library: "libMonteCarloStep.so"),
        ])
        defer { box.remove() }
        let tapePath = box.root + "/demo.tape.jsonl"
        let tape = try TapeWriter(path: tapePath)
        // A clock that advances 1 ms per reading: times differ across records, as live.
        let ticks = Counter()
        var options = Engine.Options()
        options.staleAfter = 100_000_000
        let runner = try DemoRunner(
            manager: manager, exchange: SilencingExchange(ScenarioExchange(), venue: "simb", frames: 500..<900),
            clock: { 1_764_072_000_000_000_000 + ticks.next() * 1_000_000 }, tape: tape, options: options,
            output: { _ in })
        var live: [Decision] = []
        runner.engine.onDecision = { live.append($0) }
        var batches = 0
        runner.run(framesPerBatch: 400, conflate: conflate) {
            batches += 1
            return batches > 5
        }
        #expect(runner.engine.summary.plansA > 0 && runner.engine.summary.paperExecutions > 0)
        let streamed = runner.engine.summary.cycles
        if !conflate {
            #expect(streamed >= 2_000, "a cycle after each of the 2,000 frames (\(streamed))")
        } else {
            // Five batches, plus start-up and the reconciliation answers between batches.
            #expect(streamed <= 20, "a cycle per batch of 400 frames (\(streamed))")
        }
        let records = try TapeReader.read(path: tapePath)
        #expect(records.first?.type == .universe)
        func replay(_ tape: [TapeRecord]? = nil, streamedInBlocksOf blockSize: Int? = nil) throws -> TapeReplay.Result {
            let fresh = PluginManager(
                directory: ManifestDirectory(path: box.pluginsDirectory),
                loader: LibraryLoader(
                    searchPath: [box.root, buildDirectory], cacheDirectory: box.stateDirectory + "/cache"),
                runtime: HostRuntime(log: { _, _, _ in }, state: MemoryStateStore()))
            fresh.reload()
            guard let blockSize else { return try TapeReplay.run(records: tape ?? records, manager: fresh) }
            let stream = try TapeStream(path: tapePath, blockSize: blockSize, depth: 2)
            return try TapeReplay.run(stream: stream, manager: fresh)
        }
        let first = try replay()
        let second = try replay()
        #expect(first.unmatchedResponses == 0 && first.errors.isEmpty)
        #expect(first.decisions.count > 50)
        #expect(first.decisionsText == second.decisionsText, "two replays decide byte for byte the same")
        // Read as it is replayed, in chunks that end anywhere (inside a batch's inner records too).
        for blockSize in [1_000, 65_536] {
            let streamed = try replay(streamedInBlocksOf: blockSize)
            #expect(streamed.decisionsText == first.decisionsText, "streamed in blocks of \(blockSize)")
            #expect(streamed.records == records.count && streamed.errors.isEmpty)
            #expect(streamed.summary.cycles == first.summary.cycles)
            #expect(streamed.summary.groupsEvaluated == first.summary.groupsEvaluated)
        }
        // The universe header is the one before the first message: a later one is not used, and said.
        var late = records
        late.insert(late.removeFirst(), at: late.firstIndex { $0.type.isMessage }! + 1)
        #expect(try replay(late).errors.contains("a universe header after the first message was not used"))
        #expect(first.decisions == live, "the replay decides what the live run decided")
        #expect(first.summary.pnl == runner.engine.summary.pnl)
        #expect(first.summary.cycles == runner.engine.summary.cycles, "cycles at the same points")
        #expect(first.summary.groupsEvaluated == runner.engine.summary.groupsEvaluated)
        let stale = runner.engine.summary.dataQuality[.staleStream]
        #expect(stale >= 1, "simb's silence was noticed")
        #expect(records.contains { $0.type == .stale && $0.venue == "simb" })
        #expect(
            first.summary.dataQuality == runner.engine.summary.dataQuality, "the replay withheld what the live run did")
        #expect(records.filter { $0.type == .plugins }.count == 1, "the plugins are recorded at the start")
        #expect(first.pluginDifferences.isEmpty && first.pluginChanges == 0)
        // The same tape with one sizing step fewer: the replay says so.
        try FileManager.default.removeItem(atPath: box.pluginsDirectory + "/91-mc.toml")
        let fewer = try replay()
        #expect(fewer.pluginDifferences == ["sizing.monte_carlo: ran in the recorded run, is not enabled now"])
    }

    /// A manifest edited while the run records: the tape holds the plugins before and after, and
    /// a replay (which runs the current plugins throughout) reports the change.
    @Test func aReplayReportsPluginsChangedDuringTheRecordedRun() throws {
        let (box, manager) = try Self.lanesWithSimVenue()
        defer { box.remove() }
        let tapePath = box.root + "/edited.tape.jsonl"
        let runner = try DemoRunner(manager: manager, tape: try TapeWriter(path: tapePath), output: { _ in })
        var batches = 0
        runner.run(framesPerBatch: 100) {
            batches += 1
            // Between the second and third batch the drawdown step is switched off.
            if batches == 2 { try? FileManager.default.removeItem(atPath: box.pluginsDirectory + "/90-dd.toml") }
            return batches > 4
        }
        #expect(runner.manager.pipeline.sizingA.isEmpty, "the edit took effect while the run recorded")
        let records = try TapeReader.read(path: tapePath)
        let recorded = records.filter { $0.type == .plugins }.map { PluginFingerprint.parse($0.body) }
        #expect(recorded.count == 2)
        #expect(recorded.first?.contains { $0.id == "sizing.drawdown" && $0.kind == "sizing" } == true)
        #expect(recorded.last?.contains { $0.id == "sizing.drawdown" } == false)
        let fresh = box.makeManager()
        fresh.reload()
        let result = try TapeReplay.run(records: records, manager: fresh)
        #expect(result.pluginChanges == 1)
        #expect(result.pluginDifferences == ["sizing.drawdown: ran in the recorded run, is not enabled now"])
        #expect(result.unmatchedResponses == 0 && result.errors.isEmpty)
    }

    @Test func aMalformedTapeLineIsNamed() throws {
        let path = NSTemporaryDirectory() + "bad-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "{\"t\":1,\"venue\":\"sim\",\"type\":\"frame\",\"body\":\"{}\"}\n{\"t\":2,\"venue\":\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        #expect { try TapeReader.read(path: path) } throws: { ($0 as? TapeReader.Malformed)?.line == 2 }
    }

    /// Thompson posteriors survive a restart: a bucket with a long losing record is skipped most
    /// of the time by a new instance reading the same state, and never by one without it.
    @Test func bucketPosteriorsPersistAcrossARestart() throws {
        let (box, manager) = try LaneTests.loadLanes()
        defer { box.remove() }
        let bucketLane = try #require(manager.pipeline.lanes.first { $0.manifest.id == "lane.bucket" })
        for i in 0..<30 {
            bucketLane.record(LaneOutcome(kind: .loss, groupID: "bucket", opportunityID: "x", pnl: -1, time: Int64(i)))
        }
        let saved = try #require(
            FileStateStore(directory: box.stateDirectory + "/plugin-state").value(
                pluginID: "lane.bucket", key: "posteriors"))
        #expect(String(decoding: saved, as: UTF8.self).hasPrefix("bucket\t1000000\t"))
        // A restart: a new manager over the same folders loads the saved posteriors.
        func finds(_ m: PluginManager) throws -> Int {
            let lane = try #require(m.pipeline.lanes.first { $0.manifest.id == "lane.bucket" })
            var rule = GroupRule(
                kind: .bucket, groupID: "bucket",
                members: ["E", "F", "G"].map { .init(key: MarketKey(venue: "kalshi", marketID: $0)) }, source: "t")
            rule.isExhaustive = true
            var count = 0
            for t in 0..<60 {
                let c = LaneTests.Case(
                    rule: rule,
                    yesAsks: [LaneTests.level(200_000), LaneTests.level(250_000), LaneTests.level(400_000)],
                    noAsks: [LaneTests.level(820_000), LaneTests.level(770_000), LaneTests.level(620_000)])
                let snapshot = c.snapshot()
                snapshot.setNow(LaneTests.now + Int64(t))
                count += try lane.evaluate(snapshot).isEmpty ? 0 : 1
            }
            return count
        }
        let restarted = box.makeManager()
        restarted.reload()
        let withHistory = try finds(restarted)
        #expect(withHistory < 30, "30 losses: Beta(1, ~27) rarely samples above 5% (found \(withHistory) of 60)")
        #expect(withHistory > 0, "but a losing bucket is still explored now and then")
        let (fresh, freshManager) = try LaneTests.loadLanes()
        defer { fresh.remove() }
        #expect(try finds(freshManager) == 60, "no history: every sighting is evaluated")
    }
}

/// Forwards to another exchange, but drops one venue's stream frames while the frame count is
/// in `frames`: a stream that stays connected and goes silent.
final class SilencingExchange: DemoExchange {
    let inner: any DemoExchange
    let venue: String
    let frames: Range<Int>
    private var count = 0

    init(_ inner: any DemoExchange, venue: String, frames: Range<Int>) {
        self.inner = inner
        self.venue = venue
        self.frames = frames
    }

    func bind(_ venues: [PluginInstance]) throws -> [String] { try inner.bind(venues) }
    func perform(venue: String, _ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse {
        inner.perform(venue: venue, request, now: now)
    }
    func streamOpen(venue: String, url: String, headers: [HTTPHeader]) -> Bool {
        inner.streamOpen(venue: venue, url: url, headers: headers)
    }
    func streamSend(venue: String, _ text: String) -> [String] { inner.streamSend(venue: venue, text) }
    func rules() -> [GroupRule] { inner.rules() }
    func nextFrame() -> (venue: String, frame: String)? {
        while let next = inner.nextFrame() {
            count += 1
            if next.venue == venue, frames.contains(count) { continue }
            return next
        }
        return nil
    }
}

/// A thread-safe counter for test clocks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0
    func next() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
