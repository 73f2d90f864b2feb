import Foundation
import KalshiSim
import PluginKit
import Testing
import _CryptoExtras

@testable import PluginHost

/// The host's rate governor: token buckets from the manifests, exponential backoff after 429s,
/// and retries that the plugin never sees, against the Kalshi simulator.
struct RateGovernorTests {
    static let ms: Nanoseconds = 1_000_000

    @Test func bucketsRefillContinuouslyAndExactly() {
        // Kalshi Basic read: 200 tokens/s, 2 s of budget; 10 tokens a request.
        var g = RateGovernor(limits: ["read": .init(tokensPerSecond: 200, capacity: 400)])
        for _ in 0..<40 {
            #expect(g.delay(bucket: "read", cost: 10, now: 0) == 0)
            g.spend(bucket: "read", cost: 10, now: 0)
        }
        #expect(g.delay(bucket: "read", cost: 10, now: 0) == 50 * Self.ms, "10 tokens at 200/s")
        #expect(g.delay(bucket: "read", cost: 2, now: 0) == 10 * Self.ms, "a cancel costs 2")
        #expect(g.delay(bucket: "read", cost: 10, now: 30 * Self.ms) == 20 * Self.ms)
        #expect(g.delay(bucket: "read", cost: 10, now: 50 * Self.ms) == 0)
        #expect(g.tokens(bucket: "read", now: 50 * Self.ms) == 10)
        #expect(g.tokens(bucket: "read", now: 10_000 * Self.ms) == 400, "never above capacity")
        // A cost above capacity could never pass: it goes when the bucket is full.
        #expect(g.delay(bucket: "read", cost: 1_000, now: 10_000 * Self.ms) == 0)
        // A bucket the manifest does not name is not paced.
        #expect(g.delay(bucket: "write", cost: 10_000, now: 0) == 0)
        #expect(g.tokens(bucket: "write", now: 0) == nil)
    }

    @Test func refusalsBackOffExponentiallyUntilTheFirstSuccess() {
        var g = RateGovernor(limits: [:])
        g.refused(bucket: "read", now: 0)
        #expect(g.delay(bucket: "read", cost: 10, now: 0) == 250 * Self.ms)
        g.refused(bucket: "read", now: 250 * Self.ms)
        #expect(g.delay(bucket: "read", cost: 10, now: 250 * Self.ms) == 500 * Self.ms)
        for i in 0..<10 { g.refused(bucket: "read", now: Nanoseconds(i) * 1_000 * Self.ms) }
        #expect(g.delay(bucket: "read", cost: 10, now: 9_000 * Self.ms) == RateGovernor.longestBackoff, "capped at 8 s")
        #expect(g.delay(bucket: "write", cost: 10, now: 9_000 * Self.ms) == 0, "buckets back off alone")
        g.served(bucket: "read")
        g.refused(bucket: "read", now: 20_000 * Self.ms)
        #expect(g.delay(bucket: "read", cost: 10, now: 20_000 * Self.ms) == 250 * Self.ms, "a success resets it")
        #expect(g.refusals == 13)
    }

    @Test func theVenuesWordCapsTheBucket() {
        var g = RateGovernor(limits: ["read": .init(tokensPerSecond: 100, capacity: 100)])
        g.observe(bucket: "read", remaining: 5, now: 0)
        #expect(g.tokens(bucket: "read", now: 0) == 5)
        #expect(g.delay(bucket: "read", cost: 10, now: 0) == 50 * Self.ms)
        g.observe(bucket: "read", remaining: 1_000, now: 0)
        #expect(g.tokens(bucket: "read", now: 0) == 5, "a report never adds tokens")
    }

    @Test func manifestsDeclareBucketsForVenuesOnly() throws {
        let good = try Manifest.parse(
            """
            id = "venue.kalshi"
            kind = "venue"
            library = "libKalshiVenue.so"
            [rate_limits]
            read = { per_second = 200, capacity = 400 }
            write = { per_second = 100, capacity = 100 }
            """, path: "k.toml")
        #expect(good.rateLimits["read"] == .init(tokensPerSecond: 200, capacity: 400))
        #expect(good.rateLimits["write"] == .init(tokensPerSecond: 100, capacity: 100))
        let shipped = try Manifest.parse(
            String(contentsOfFile: repositoryRoot + "/plugins.d/030-venue-kalshi.toml", encoding: .utf8),
            path: "030-venue-kalshi.toml")
        #expect(shipped.rateLimits.keys.sorted() == ["read", "write"], "the shipped manifest has Basic-tier buckets")
        func failure(_ text: String) -> String {
            do {
                _ = try Manifest.parse(text, path: "m.toml")
                return "parsed"
            } catch { return error.description }
        }
        #expect(
            failure(
                "id = \"l\"\nkind = \"lane\"\nlibrary = \"x.so\"\n[rate_limits]\nread = { per_second = 1, capacity = 1 }"
            )
            .contains("applies to venue plugins only"))
        #expect(
            failure(
                "id = \"v\"\nkind = \"venue\"\nlibrary = \"x.so\"\n[rate_limits]\nread = { per_second = 0, capacity = 1 }"
            )
            .contains("positive integers"))
        #expect(
            failure(
                "id = \"v\"\nkind = \"venue\"\nlibrary = \"x.so\"\n[rate_limits]\nread = { rate = 1, capacity = 1 }"
            )
            .contains("unknown key rate"))
        #expect(
            failure("id = \"v\"\nkind = \"venue\"\nlibrary = \"x.so\"\n[rate_limits]\nread = 5").contains(
                "must be a table"))
    }

    /// The sandbox's plugins loaded afresh (empty state), with the same key, for a replay.
    static func replayManager(_ box: Sandbox) throws -> PluginManager {
        let fresh = PluginManager(
            directory: ManifestDirectory(path: box.pluginsDirectory),
            loader: LibraryLoader(searchPath: [buildDirectory], cacheDirectory: box.stateDirectory + "/replay-cache"),
            runtime: HostRuntime(
                clock: { 1_703_123_456_789_000_000 }, log: { _, _, _ in },
                keys: KeyStore(keys: [
                    try KeyStore.loadKey(
                        name: "kalshi-test", path: box.root + "/kalshi.pem", format: .rsaPEM,
                        allowedPlugins: ["venue.kalshi"])
                ]), state: MemoryStateStore()))
        #expect(fresh.reload().errors.isEmpty)
        return fresh
    }

    /// What the driver sent, and when.
    final class Wire {
        var sent: [(t: Nanoseconds, line: String)] = []
    }

    /// The Kalshi plugin with a read bucket of 100 tokens/s holding 30 (three requests), driven by
    /// the host against the simulator; the driver's clock is the test's.
    func pacedKalshi(tape: TapeWriter?, scenario: KalshiScenario = KalshiSimulatorTests.scenario) throws -> (
        Sandbox, PluginManager, VenueDriver, KalshiSimulator, Wire
    ) {
        let (box, manager, _, key) = try KalshiVenueTests().kalshi(
            config: "page_size = 2\n[rate_limits]\nread = { per_second = 100, capacity = 30 }")
        let sim = try KalshiSimulator(
            scenario: scenario,
            publicKeys: ["a952bcbe-ec3b-4b5b-b8f9-11dae589608c": key.publicKey], clock: { 1_703_123_456_789_000_000 })
        let wire = Wire()
        let engine = Engine(manager: manager, universe: Universe())
        let driver = VenueDriver(engine: engine, venues: manager.pipeline.venues, tape: tape) { _, request, now in
            let path = URLComponents(string: request.url)?.path ?? request.url
            wire.sent.append((now, "\(request.method.name) \(path)"))
            let r = sim.handle(
                method: request.method.name, url: request.url,
                headers: Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                body: request.body)
            return HTTPResponse(status: r.status, body: r.body, receiveTime: now, tag: request.tag)
        }
        driver.streamOpen = { _, _, headers in
            sim.connect(headers: Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
                == nil
        }
        driver.streamSend = { _, text in sim.receive(text) }
        // No round-robin REST checks: every request here is one the test makes happen.
        driver.reconcileInterval = 0
        return (box, manager, driver, sim, wire)
    }

    @Test func theDriverPacesRequestsAndRetriesRefusalsThePluginNeverSees() throws {
        let tapePath = NSTemporaryDirectory() + "paced-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: tapePath) }
        let (box, _, driver, sim, wire) = try pacedKalshi(tape: try TapeWriter(path: tapePath))
        defer { box.remove() }
        let t0: Nanoseconds = 1_000 * Self.ms
        driver.start(now: t0)
        // Series and both event pages take the 30 tokens; the three books wait for the refill.
        #expect(wire.sent.map(\.line).filter { $0.contains("orderbook") }.isEmpty)
        #expect(wire.sent.count == 3)
        #expect(!driver.isStarted, "not started while books wait")
        driver.pump(now: t0 + 99 * Self.ms)
        #expect(wire.sent.count == 3, "10 tokens at 100/s take 100 ms")
        driver.pump(now: t0 + 100 * Self.ms)
        #expect(wire.sent.count == 4)
        driver.pump(now: t0 + 300 * Self.ms)
        #expect(wire.sent.count == 6)
        #expect(driver.isStarted, "every book in: the engine started")
        #expect(driver.engine.summary.markets == 3)
        #expect(driver.requestStats.paced == 3)

        // A gap on the subscription resyncs its three markets. The first book request meets two
        // 429s in a row: retried after 250 ms, then 500 ms, ahead of the two queued behind it.
        sim.faults = [.sequenceGap]
        let gapFrame = sim.changeBid(ticker: "KXSIM-1-A", side: "yes", price: 450_000, change: -100)
        sim.faults = [.rateLimit, .rateLimit]
        let t1 = t0 + 10_000 * Self.ms
        driver.receive(frame: Array(gapFrame.utf8), venue: "kalshi", at: t1)
        #expect(wire.sent.last?.t == t1 && wire.sent.last?.line == "GET /trade-api/v2/markets/KXSIM-1-A/orderbook")
        #expect(driver.requestStats.refused == 1)
        driver.pump(now: t1 + 249 * Self.ms)
        #expect(wire.sent.count == 7, "closed for 250 ms")
        driver.pump(now: t1 + 250 * Self.ms)
        #expect(wire.sent.count == 8 && driver.requestStats.refused == 2)
        driver.pump(now: t1 + 749 * Self.ms)
        #expect(wire.sent.count == 8, "then for 500 ms")
        driver.pump(now: t1 + 750 * Self.ms)
        #expect(
            wire.sent.dropFirst(6).map { $0.line.split(separator: "/")[4] } == [
                "KXSIM-1-A", "KXSIM-1-A", "KXSIM-1-A", "KXSIM-2-A", "KXSIM-3-A",
            ], "\(wire.sent.map(\.line))")
        #expect(driver.requestStats.retried == 2 && driver.requestStats.failed == 0)
        #expect(driver.errors.isEmpty, "the plugin never saw the 429s: \(driver.errors)")
        #expect(driver.engine.summary.updates > 4, "the resync's snapshot reached the book")

        // The replay decides at the same points without pacing: every answer matches a request.
        let records = try TapeReader.read(path: tapePath)
        #expect(records.filter { $0.status == 429 }.count == 2, "the refusals are on the tape")
        let replay = try TapeReplay.run(records: records, manager: try Self.replayManager(box))
        #expect(replay.unmatchedResponses == 0 && replay.errors.isEmpty, "\(replay.errors)")
        #expect(replay.summary.updates == driver.engine.summary.updates)
        #expect(replay.summary.cycles == driver.engine.summary.cycles)
    }

    /// A clock the test moves, shared by the plugin's signer and the simulator.
    final class TestClock: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Int64
        init(_ ns: Int64) { value = ns }
        var now: Int64 {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
        func advance(_ ns: Int64) {
            lock.lock()
            value += ns
            lock.unlock()
        }
    }

    /// A request that waited 40 s for its bucket would carry a signature Kalshi refuses (the
    /// simulator allows ±30 s): the driver has the plugin sign it again before it goes.
    @Test func aRequestThatWaitedLongIsSignedAgain() throws {
        for resign in [true, false] {
            let clock = TestClock(1_764_072_000_000_000_000)
            let (box, manager, _, key) = try KalshiVenueTests().kalshi(
                config: "page_size = 2\n[rate_limits]\nread = { per_second = 1, capacity = 10 }",
                clock: { clock.now })
            defer { box.remove() }
            let sim = try KalshiSimulator(
                scenario: KalshiSimulatorTests.scenario,
                publicKeys: ["a952bcbe-ec3b-4b5b-b8f9-11dae589608c": key.publicKey], clock: { clock.now })
            let engine = Engine(manager: manager, universe: Universe())
            let driver = VenueDriver(engine: engine, venues: manager.pipeline.venues) { _, request, now in
                let r = sim.handle(
                    method: request.method.name, url: request.url,
                    headers: Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                    body: request.body)
                return HTTPResponse(status: r.status, body: r.body, receiveTime: now, tag: request.tag)
            }
            driver.reconcileInterval = 0
            if !resign { driver.resignAfter = .max }
            driver.start(now: clock.now)
            #expect(sim.requestLog == ["GET /trade-api/v2/series"], "one request's worth of tokens")
            clock.advance(40_000_000_000)
            driver.pump(now: clock.now)
            if resign {
                #expect(driver.requestStats.resigned == 1)
                #expect(driver.errors.isEmpty, "\(driver.errors)")
                #expect(sim.requestLog.last == "GET /trade-api/v2/events", "the first events page went, signed anew")
            } else {
                #expect(
                    driver.errors.contains { $0.contains("timestamp outside the allowed skew") },
                    "without it, the 40-second-old signature is refused: \(driver.errors)")
            }
        }
    }

    /// A resync whose book fails past every retry is not forgotten: the plugin's gap for it
    /// reaches the engine (the market stays withheld) and the book is asked for again, while a
    /// market that keeps gapping is resynced at most once per backoff window (1 s, 2 s, …).
    @Test func aFailedResyncIsRetriedWithBackoffNotForgotten() throws {
        var scenario = KalshiSimulatorTests.scenario
        scenario.events = [scenario.events[0]]
        let (box, _, driver, sim, wire) = try pacedKalshi(tape: nil, scenario: scenario)
        defer { box.remove() }
        driver.start(now: 0)
        #expect(driver.isStarted && wire.sent.count == 3, "series, events, the one book")
        func gapFrame() -> [UInt8] {
            sim.faults.insert(.sequenceGap, at: 0)  // consumed by this frame alone
            return Array(sim.changeBid(ticker: "KXSIM-1-A", side: "yes", price: 450_000, change: -10).utf8)
        }
        func gaps() -> Int { driver.engine.summary.dataQuality[.sequenceGap] }
        let t1: Nanoseconds = 10_000 * Self.ms
        let frame = gapFrame()
        sim.faults = Array(repeating: .serverError, count: VenueDriver.maxAttempts)
        driver.receive(frame: frame, venue: "kalshi", at: t1)
        // The subscription's gap, then this delta's own (its book was dropped): one resync.
        #expect(gaps() == 2 && wire.sent.count == 4)
        // A second gap while the first resync is still being retried is held, not sent.
        driver.receive(frame: gapFrame(), venue: "kalshi", at: t1 + 100 * Self.ms)
        #expect(wire.sent.count == 4, "held by the market's backoff")
        for t in [250, 750, 1_750] { driver.pump(now: t1 + Nanoseconds(t) * Self.ms) }
        #expect(driver.requestStats.failed == 1, "four 503s")
        #expect(gaps() == 4, "the held frame's, and the failed book's gap reached the engine")
        let books = wire.sent.dropFirst(3).map(\.line).filter { $0.hasSuffix("/orderbook") }
        #expect(
            books.count == 5,
            "4 sends, then asked again once the 1 s window had passed (the held one is then moot): \(books)")
        #expect(driver.errors.contains { $0.contains("503") })
        // The book came: the backoff starts over, and the next gap resyncs at once.
        driver.receive(frame: gapFrame(), venue: "kalshi", at: t1 + 5_000 * Self.ms)
        #expect(wire.sent.count == 3 + 6)
    }

    @Test func aFailureOutlastingTheRetriesReachesThePlugin() throws {
        let (box, _, driver, sim, wire) = try pacedKalshi(tape: nil)
        defer { box.remove() }
        driver.start(now: 0)
        driver.pump(now: 1_000 * Self.ms)
        #expect(driver.isStarted)
        let before = wire.sent.count
        sim.faults = [.sequenceGap]
        let gapFrame = sim.changeBid(ticker: "KXSIM-2-A", side: "no", price: 500_000, change: 100)
        sim.faults = Array(repeating: .serverError, count: VenueDriver.maxAttempts)
        driver.receive(frame: Array(gapFrame.utf8), venue: "kalshi", at: 2_000 * Self.ms)
        var t = 2_000 * Self.ms
        for _ in 0..<VenueDriver.maxAttempts {
            t += RateGovernor.longestBackoff
            driver.pump(now: t)
        }
        let resent = wire.sent.dropFirst(before).map(\.line)
        #expect(
            Array(resent.prefix(VenueDriver.maxAttempts + 1)) == Array(
                repeating: resent[0], count: VenueDriver.maxAttempts)
                + ["GET /trade-api/v2/markets/KXSIM-2-A/orderbook"],
            "sent \(VenueDriver.maxAttempts) times, no more, then the next market's: \(resent)")
        #expect(driver.requestStats.failed == 1)
        #expect(driver.errors.contains { $0.contains("503") }, "the last 503 goes to the plugin: \(driver.errors)")
    }
}
