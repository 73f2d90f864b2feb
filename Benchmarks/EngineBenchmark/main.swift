// arb-bench-engine: the engine's figures on the shared inputs (../shared/bench/README.md).
//
//   book      the shared SplitMix64 L2 delta stream applied to the host's PriceLadder and to
//             the engine's BinaryBook
//   parse     recorded venue payloads (Kalshi, Polymarket), bytes to the normalized integer
//             book, through the venue plugin's C ABI (the real path)
//   pipeline  20,000 markets, 2,000 cross-venue pairs and the real rules file, all five lanes:
//             update-to-opportunities latency, sustained updates/s, full rescan, RSS
//   replay    a tape recorded from the scenario exchange, replayed through plugins and engine
//
// `make bench` runs it in a release build; `arb-bench-engine book|parse|pipeline|replay` runs
// the parts named. ARB_BENCH_REPLAY_FRAMES=N records a shorter tape (default 300,000), small
// enough to count the replay's instructions under valgrind; ARB_BENCH_REPLAY_CYCLES=batch or
// =message records and replays only that tape; ARB_BENCH_REPLAY_SCALE=N scales the scenario's
// markets and groups to N tenths of the default (10), to see what the working set's size costs.
import Foundation
import PluginHost
import PluginKit

func clockNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func peakRSSMegabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    let kb = Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "") ?? 0
    return kb / 1024
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let sharedData = repositoryRoot + "/../shared/data"
let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    .path
/// `body`'s result, or a one-line error and exit 1: the shared inputs live beside the checkout
/// (`../shared`), and a missing one must say which, not crash.
func orExit<T>(_ what: String, _ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("arb-bench-engine: \(what): \(error)\n".utf8))
        exit(1)
    }
}

let parts = Set(CommandLine.arguments.dropFirst())
func wants(_ part: String) -> Bool { parts.isEmpty || parts.contains(part) }

/// A plugins.d in a temporary folder with these manifests.
func makeManager(_ manifests: [String: String], state: any PluginStateStore = MemoryStateStore()) -> PluginManager {
    let root = NSTemporaryDirectory() + "arb-bench-engine-\(getpid())-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: root + "/plugins.d", withIntermediateDirectories: true)
    for (name, text) in manifests {
        try! text.write(toFile: "\(root)/plugins.d/\(name)", atomically: true, encoding: .utf8)
    }
    let manager = PluginManager(
        directory: ManifestDirectory(path: root + "/plugins.d"),
        loader: LibraryLoader(searchPath: [binDirectory], cacheDirectory: root + "/cache"),
        runtime: HostRuntime(log: { _, _, _ in }, state: state))
    let report = manager.reload()
    guard report.errors.isEmpty else {
        print("cannot load plugins from \(binDirectory): \(report.errors) — run `swift build -c release` first")
        exit(1)
    }
    return manager
}

func manifest(_ id: String, _ kind: String, _ library: String, _ config: String = "") -> String {
    "id = \"\(id)\"\nkind = \"\(kind)\"\nlibrary = \"\(library)\"\n[config]\n\(config)\n"
}

// MARK: - 1. The shared L2 delta stream

/// Opaque to the optimizer, so the query is not hoisted out of the timing loop.
@inline(never)
func bestBidPlusAsk(_ bids: PriceLadder, _ asks: PriceLadder) -> Int64 {
    (bids.highest?.price ?? 0) &+ (asks.lowest?.price ?? 0)
}

if wants("book") {
    struct Delta {
        var isAsk: Bool
        var price: MicroDollars
        var size: CentiContracts  // 0 = delete
    }
    var rng = SplitMix64(seed: 20_260_212)
    var check = SplitMix64(seed: 20_260_212)
    let firstThree = [check.next(), check.next(), check.next()]
    guard firstThree == [0xacfa_0640_2b7c_d64e, 0xaedb_a493_b729_2dc0, 0xa867_180c_eef0_5226] else {
        print("book: SplitMix64 check values differ: \(firstThree.map { String($0, radix: 16) })")
        exit(1)
    }
    // Generating needs the book's state (ADD vs UPDATE vs DELETE): a plain reference book, untimed.
    var present: [Bool: [Int: Int64]] = [false: [:], true: [:]]
    var deltas: [Delta] = []
    var firstLabels: [String] = []
    for _ in 0..<200_000 {
        let isAsk = rng.below(2) == 1
        let tick = Int(1 + rng.below(49)) + (isAsk ? 50 : 0)
        let roll = rng.below(10)
        let size = Int64(1 + rng.below(1_000_000))
        let exists = present[isAsk]![tick] != nil
        let label: String
        if !exists {
            present[isAsk]![tick] = size
            deltas.append(Delta(isAsk: isAsk, price: Int64(tick) * 10_000, size: size))
            label = "ADD"
        } else if roll < 6 {
            present[isAsk]![tick] = size
            deltas.append(Delta(isAsk: isAsk, price: Int64(tick) * 10_000, size: size))
            label = "UPDATE"
        } else {
            present[isAsk]![tick] = nil
            deltas.append(Delta(isAsk: isAsk, price: Int64(tick) * 10_000, size: 0))
            label = "DELETE"
        }
        if firstLabels.count < 4 { firstLabels.append("(\(label),\(isAsk ? "ask" : "bid"),\(tick),\(size))") }
    }
    guard
        firstLabels.joined(separator: " ")
            == "(ADD,bid,47,185205) (ADD,bid,30,887019) (ADD,ask,62,336128) (ADD,bid,22,893852)"
    else {
        print("book: first deltas differ from the published ones: \(firstLabels)")
        exit(1)
    }
    func apply(_ n: Int) -> (PriceLadder, PriceLadder, UInt64) {
        var bids = PriceLadder()
        var asks = PriceLadder()
        let start = clockNanos()
        for i in 0..<n {
            let d = deltas[i]
            if d.isAsk { asks.set(d.price, d.size) } else { bids.set(d.price, d.size) }
        }
        return (bids, asks, clockNanos() - start)
    }
    for (n, expected) in [
        (20_000, (33, 39, 49, 51, Int64(16_882_928), Int64(20_807_648))),
        (200_000, (42, 40, 49, 51, Int64(16_971_115), Int64(20_661_337))),
    ] {
        let (bids, asks, _) = apply(n)
        let got = (
            bids.count, asks.count, Int(bids.highest!.price / 10_000), Int(asks.lowest!.price / 10_000),
            bids.sizes.reduce(0, +), asks.sizes.reduce(0, +)
        )
        guard got == expected else {
            print("book: after \(n) deltas got \(got), the published check values are \(expected)")
            exit(1)
        }
    }
    var perDelta: [Double] = []
    for _ in 0..<15 {
        let (_, _, ns) = apply(deltas.count)
        perDelta.append(Double(ns) / Double(deltas.count))
    }
    perDelta.sort()
    // The same stream through the engine's whole book (BinaryBook): bids as YES bids, which also
    // keeps the derived NO asks up to date, asks as explicit YES asks. The one-level updates are
    // made before the clock starts.
    let updates = deltas.map { d in
        var u = BookUpdate(kind: .delta, marketID: "BOOK")
        if d.isAsk {
            u.yesAsks = [Level(price: d.price, size: d.size)]
        } else {
            u.yesBids = [Level(price: d.price, size: d.size)]
        }
        return u
    }
    var engineBook = BinaryBook()
    for u in updates { engineBook.apply(u) }
    let (referenceBids, referenceAsks, _) = apply(deltas.count)
    guard engineBook.yesBids == referenceBids, engineBook.yesAsks == referenceAsks else {
        print("book: the engine's book disagrees with the ladders after the stream")
        exit(1)
    }
    var perUpdate: [Double] = []
    for _ in 0..<15 {
        var book = BinaryBook()
        let start = clockNanos()
        for i in updates.indices { book.apply(updates[i]) }  // passed in place, uncopied
        perUpdate.append(Double(clockNanos() - start) / Double(updates.count))
        if book.sequence != UInt64(updates.count) { exit(1) }
    }
    perUpdate.sort()
    // Two different books, alternated, so the query cannot be hoisted out of the loop.
    let (bids, asks, _) = apply(deltas.count)
    let (bids2, asks2, _) = apply(deltas.count / 2)
    let books = [(bids, asks), (bids2, asks2)]
    var queries: [Double] = []
    var sink: Int64 = 0
    for _ in 0..<15 {
        let start = clockNanos()
        for i in 0..<1_000_000 { sink &+= bestBidPlusAsk(books[i & 1].0, books[i & 1].1) }
        queries.append(Double(clockNanos() - start) / 1_000_000)
    }
    queries.sort()
    if sink == 42 { print("") }
    print("book: check values match (first three next(), first deltas, 20k and 200k final books)")
    print(
        String(
            format:
                "book: apply %d deltas: median %.1f ns/delta, min %.1f, max %.1f (15 runs, book from scratch; goal <= 50 ns)",
            deltas.count, percentile(perDelta, 0.5), perDelta.first!, perDelta.last!))
    print(
        String(
            format:
                "book: the engine's BinaryBook, the same %d deltas as book updates (derived asks kept too): median %.1f ns/update, min %.1f, max %.1f (15 runs)",
            updates.count, percentile(perUpdate, 0.5), perUpdate.first!, perUpdate.last!))
    print(
        String(
            format: "book: best bid + best ask query: median %.2f ns (15 runs x 1M)", percentile(queries, 0.5)))
}

// MARK: - 2. Venue payloads through the plugin

if wants("parse") {
    let manager = makeManager([
        "10-kalshi.toml": manifest(
            "venue.kalshi", "venue", "libKalshiVenue.so", "rest_url = \"https://bench.invalid/trade-api/v2\"")
    ])
    let session = VenueSession(instance: manager.pipeline.venues[0])
    for name in ["kalshi_orderbook_deep.json", "kalshi_orderbook_small.json"] {
        let path = "\(sharedData)/real/\(name)"
        let bytes = Array(orExit("cannot read \(path)") { try Data(contentsOf: URL(fileURLWithPath: path)) })
        func once() -> (request: UInt64, total: UInt64, levels: Int) {
            let start = clockNanos()
            guard case .request(let r)? = try! session.requestBook(marketID: "KXBENCH").first else { fatalError() }
            let mid = clockNanos()
            let events = try! session.handle(HTTPResponse(status: 200, body: bytes, tag: r.tag))
            let end = clockNanos()
            guard case .book(let b)? = events.first else {
                print("parse: \(name) produced no book: \(events)")
                exit(1)
            }
            return (mid - start, end - start, b.yesBids.count + b.noBids.count)
        }
        let levels = once().levels
        for _ in 0..<2_000 { _ = once() }
        var total: [Double] = []
        var request: [Double] = []
        for _ in 0..<20_000 {
            let t = once()
            total.append(Double(t.total))
            request.append(Double(t.request))
        }
        total.sort()
        request.sort()
        let parseOnly = percentile(total, 0.5) - percentile(request, 0.5)
        print(
            String(
                format:
                    "parse: %@ (%d bytes, %d levels) → normalized book: median %.2f µs (p99 %.2f µs) including building "
                    + "its request (median %.2f µs); parse ≈ %.2f µs, %.0f MB/s (goal <= 5 µs)",
                name as NSString, bytes.count, levels, percentile(total, 0.5) / 1_000, percentile(total, 0.99) / 1_000,
                percentile(request, 0.5) / 1_000, parseOnly / 1_000, Double(bytes.count) / parseOnly * 1e3))
    }
    polymarketParse()
}

/// The Polymarket payloads of ../shared/bench/README.md through the Polymarket plugin's C ABI:
/// the REST book (with its request built, as the Kalshi figures), then each channel `book`
/// message as a stream frame. Each is timed read in place and, beside it in the same run,
/// with an escape in its `hash` so the plugin's decoder reads it: the two paths side by side.
func polymarketParse() {
    let manager = makeManager([
        "10-polymarket.toml": manifest(
            "venue.polymarket", "venue", "libPolymarketVenue.so",
            "gamma_url = \"https://bench.invalid\"\nclob_url = \"https://bench.invalid\"")
    ])
    let session = VenueSession(instance: manager.pipeline.venues[0])
    func read(_ name: String) -> [UInt8] {
        let path = "\(sharedData)/real/\(name)"
        return Array(orExit("cannot read \(path)") { try Data(contentsOf: URL(fileURLWithPath: path)) })
    }
    let rest = read("polymarket_clob_book.json")
    let streamed =
        String(decoding: read("polymarket_ws_book_2026-02-12.jsonl"), as: UTF8.self).split(separator: "\n")
        .map { Array($0.utf8) } + [read("polymarket_ws_book_deep.json")]
    // Discovery first, so the plugin knows each payload's market and token.
    let objects = ([rest] + streamed).map { payload in
        orExit("a Polymarket payload is not JSON") {
            try JSONSerialization.jsonObject(with: Data(payload)) as! [String: Any]
        }
    }
    let page: [String: Any] = [
        "markets": objects.enumerated().map { i, o in
            [
                "conditionId": o["market"] as! String, "clobTokenIds": "[\"\(o["asset_id"] as! String)\", \"9\(i)\"]",
                "outcomes": "[\"Yes\", \"No\"]", "orderPriceMinTickSize": 0.001, "orderMinSize": 5,
            ] as [String: Any]
        }
    ]
    guard case .request(let discovery)? = try! session.startDiscovery().first else { fatalError() }
    _ = try! session.handle(
        HTTPResponse(status: 200, body: Array(try! JSONSerialization.data(withJSONObject: page)), tag: discovery.tag))
    let market = objects[0]["market"] as! String
    func escaped(_ bytes: [UInt8]) -> [UInt8] {
        Array(
            String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"hash\":\"", with: "\"hash\":\"\\u0061")
                .replacingOccurrences(of: "\"hash\": \"", with: "\"hash\": \"\\u0061").utf8)
    }
    /// Median and p99 of `once` in ns over 20,000 runs after 2,000 of warm-up.
    func time(_ once: () -> UInt64) -> (median: Double, p99: Double) {
        for _ in 0..<2_000 { _ = once() }
        var runs = (0..<20_000).map { _ in Double(once()) }
        runs.sort()
        return (percentile(runs, 0.5), percentile(runs, 0.99))
    }
    func levels(_ events: [VenueEvent]) -> Int {
        guard case .book(let b)? = events.first else {
            print("parse: a Polymarket payload produced no book: \(events)")
            exit(1)
        }
        return b.yesBids.count + b.noBids.count
    }
    // REST: request built, answer parsed; the request alone timed apart.
    for (path, body) in [("in place", rest), ("decoded", escaped(rest))] {
        var count = 0
        let request = time {
            let start = clockNanos()
            _ = try! session.requestBook(marketID: market)
            return clockNanos() - start
        }
        let total = time {
            let start = clockNanos()
            guard case .request(let r)? = try! session.requestBook(marketID: market).first else { fatalError() }
            count = levels(try! session.handle(HTTPResponse(status: 200, body: body, tag: r.tag)))
            return clockNanos() - start
        }
        let parse = total.median - request.median
        print(
            String(
                format:
                    "parse: polymarket_clob_book.json (%d bytes, %d levels), %@ → normalized book: median %.2f µs "
                    + "(p99 %.2f µs) including building its request (median %.2f µs); parse ≈ %.2f µs, %.0f MB/s "
                    + "(goal <= 5 µs)",
                body.count, count, path as NSString, total.median / 1_000, total.p99 / 1_000, request.median / 1_000,
                parse / 1_000, Double(body.count) / parse * 1e3))
    }
    // The channel's book messages, one frame each, every message of the file in turn.
    for (path, frames) in [("in place", streamed), ("decoded", streamed.map(escaped))] {
        var i = 0
        var count = 0
        let frame = time {
            let bytes = frames[i % frames.count]
            i += 1
            let start = clockNanos()
            count += levels(try! session.handleFrame(bytes, receivedAt: 1))
            return clockNanos() - start
        }
        let bytes = frames.map(\.count).reduce(0, +)
        print(
            String(
                format:
                    "parse: polymarket_ws_book_2026-02-12.jsonl + polymarket_ws_book_deep.json (%d book messages, "
                    + "%d bytes on average), %@ → normalized book: median %.2f µs (p99 %.2f µs), %.0f MB/s",
                frames.count, bytes / frames.count, path as NSString, frame.median / 1_000, frame.p99 / 1_000,
                Double(bytes / frames.count) / frame.median * 1e3))
    }
}

// MARK: - 3. The pipeline

if wants("pipeline") {
    let rulesPath = "\(sharedData)/arb-bot/structural_rules.generated.v2_with_parity.json"
    var universe = Universe()
    orExit("cannot load the rules file") { try universe.load(file: rulesPath) }
    let ruleMarkets = universe.marketKeys.count
    // 2,000 synthetic cross-venue pairs.
    for i in 0..<2_000 {
        let hex = String(format: "%064x", i + 1)
        var r = GroupRule(
            kind: .pair, groupID: "bench-pair-\(i)",
            members: [
                .init(key: MarketKey(venue: "kalshi", marketID: "KXBENCH-\(i)")),
                .init(key: MarketKey(venue: "polymarket", marketID: "0x" + hex)),
            ], source: "bench")
        r.hasSameTerms = true
        universe.add(r)
    }
    // Singles up to 20,000 markets.
    var single = 0
    while universe.marketKeys.count < 20_000 {
        universe.intern(MarketKey(venue: "kalshi", marketID: "KXSINGLE-\(single)"))
        single += 1
    }
    let manager = makeManager([
        "10-k.toml": manifest(
            "venue.k", "venue", "libSimVenue.so", "venue_id = \"kalshi\"\nfee_coefficient = \"0.07\""),
        "11-p.toml": manifest(
            "venue.p", "venue", "libSimVenue.so", "venue_id = \"polymarket\"\nfee_coefficient = \"0.04\""),
        "20-intra.toml": manifest("lane.intra_venue", "lane", "libIntraVenueLane.so"),
        "21-cross.toml": manifest("lane.cross_venue", "lane", "libCrossVenueLane.so"),
        "22-bucket.toml": manifest("lane.bucket", "lane", "libBucketLane.so"),
        "23-parity.toml": manifest("lane.parity", "lane", "libParityLane.so"),
        "24-tree.toml": manifest("lane.event_tree", "lane", "libEventTreeLane.so"),
    ])
    var options = Engine.Options()
    options.paper = false
    let engine = Engine(manager: manager, universe: universe, options: options)
    var opportunities = 0
    engine.onDecision = { if $0.kind != .quarantine { opportunities += 1 } }
    let now: Int64 = 1_764_072_000_000_000_000
    var rng = SplitMix64(seed: 20_260_212)
    let keys = universe.marketKeys
    // Consistent prices, as real venues show them: a bucket's outcomes share at most $0.97 of
    // probability, equivalent markets (parity rules, pairs) quote the same fair price.
    var fair = (0..<keys.count).map { _ in 100_000 + MicroDollars(rng.below(80)) * 10_000 }
    for rule in universe.groups where rule.kind == .bucket {
        let weights = rule.members.map { _ in 1 + Int64(rng.below(100)) }
        let total = weights.reduce(0, +)
        for (m, w) in zip(rule.members, weights) {
            fair[universe.marketID(m.key)!] = max(20_000, 970_000 * w / total / 10_000 * 10_000)
        }
    }
    for rule in universe.groups where rule.kind == .parity || rule.kind == .pair {
        let a = universe.marketID(rule.members[0].key)!
        let b = universe.marketID(rule.members[1].key)!
        fair[b] = rule.members[0].isInverted == rule.members[1].isInverted ? fair[a] : FixedPoint.micros - fair[a]
    }
    for (i, key) in keys.enumerated() {
        var m = MarketRecord(venue: key.venue, marketID: key.marketID, closeTime: now + 30 * 86_400_000_000_000)
        m.tick = 10_000
        engine.upsert(m)
        var u = BookUpdate(kind: .snapshot, marketID: key.marketID)
        u.yesBids = (1...3).map { Level(price: fair[i] - Int64($0) * 10_000, size: Int64(100 + rng.below(5_000))) }
        u.noBids = (1...3).map {
            Level(price: FixedPoint.micros - fair[i] - Int64($0) * 10_000, size: Int64(100 + rng.below(5_000)))
        }
        engine.apply(u, venue: key.venue, receivedAt: now)
    }
    var rescans: [Double] = []
    for _ in 0..<7 {
        let start = clockNanos()
        engine.rescan(now: now)
        rescans.append(Double(clockNanos() - start) / 1e6)
    }
    rescans.sort()
    // The update stream: size changes and one-tick moves of the best bid on random markets,
    // always a consistent (uncrossed) book. Generated outside the timed region.
    let updates = 300_000
    /// `updates` updates and their venues, in two arrays (not tuples): the timed loops pass each
    /// update in place, uncopied.
    func makeStream() -> (updates: [BookUpdate], venues: [String]) {
        var stream: [BookUpdate] = []
        var venues: [String] = []
        stream.reserveCapacity(updates)
        venues.reserveCapacity(updates)
        for _ in 0..<updates {
            let i = Int(rng.below(UInt64(keys.count)))
            var u = BookUpdate(kind: .delta, marketID: keys[i].marketID)
            let yes = rng.below(2) == 0
            let level = Level(
                price: (yes ? fair[i] : FixedPoint.micros - fair[i]) - Int64(1 + rng.below(3)) * 10_000,
                size: rng.below(6) == 0 ? 0 : Int64(100 + rng.below(5_000)))
            if yes { u.yesBids = [level] } else { u.noBids = [level] }
            stream.append(u)
            venues.append(keys[i].venue)
        }
        return (stream, venues)
    }
    let latencyStream = makeStream()
    var latencies = [Double](repeating: 0, count: updates)
    for n in 0..<updates {
        let t0 = clockNanos()
        engine.apply(latencyStream.updates[n], venue: latencyStream.venues[n], receivedAt: now + Int64(n))
        engine.runCycle(now: now + Int64(n))
        latencies[n] = Double(clockNanos() - t0)
    }
    latencies.sort()
    // Throughput on its own pass, without the two clock reads per update of the latency pass:
    // another 300,000 updates of the same kind, timed as a whole.
    let throughputStream = makeStream()
    let throughputStart = clockNanos()
    for n in 0..<updates {
        engine.apply(
            throughputStream.updates[n], venue: throughputStream.venues[n], receivedAt: now + Int64(updates + n))
        engine.runCycle(now: now + Int64(updates + n))
    }
    let wall = Double(clockNanos() - throughputStart)
    let s = engine.summary
    print(
        "pipeline: \(keys.count) markets (\(ruleMarkets) from the rules file), \(universe.groups.count) groups "
            + "(245 buckets, 592 parity, 2,000 pairs) + \(keys.count) singles, five lanes, no sizing")
    print(
        String(
            format:
                "pipeline: update → opportunities: p50 %.2f µs  p99 %.2f µs  p99.9 %.2f µs  max %.1f µs over %d updates (goal p99 <= 20 µs)",
            percentile(latencies, 0.5) / 1e3, percentile(latencies, 0.99) / 1e3, percentile(latencies, 0.999) / 1e3,
            latencies.last! / 1e3, updates))
    print(
        String(
            format:
                "pipeline: sustained %.0f updates/s on one core, a pass of its own without per-update clock reads "
                + "(goal >= 500k); both passes: %d groups evaluated, %d baskets",
            Double(updates) / wall * 1e9, s.groupsEvaluated, opportunities))
    print(
        String(
            format: "pipeline: full rescan of every group: median %.2f ms, min %.2f, max %.2f (7 runs; goal <= 5 ms)",
            percentile(rescans, 0.5), rescans.first!, rescans.last!))
    print(String(format: "pipeline: peak resident memory %.0f MB (goal <= 300 MB)", peakRSSMegabytes()))
}

// MARK: - 4. Replay

if wants("replay") {
    // Record a tape from the scenario exchange (two venues, 2,000 markets), then replay it.
    let venues = [
        "10-sim.toml": manifest(
            "venue.sim", "venue", "libSimVenue.so", "venue_id = \"sim\"\nbase_url = \"sim://local\""),
        "11-simb.toml": manifest(
            "venue.simb", "venue", "libSimVenue.so", "venue_id = \"simb\"\nbase_url = \"sim://b\""),
        "20-intra.toml": manifest("lane.intra_venue", "lane", "libIntraVenueLane.so"),
        "21-cross.toml": manifest("lane.cross_venue", "lane", "libCrossVenueLane.so"),
        "22-bucket.toml": manifest("lane.bucket", "lane", "libBucketLane.so"),
        "23-parity.toml": manifest("lane.parity", "lane", "libParityLane.so"),
        "24-tree.toml": manifest("lane.event_tree", "lane", "libEventTreeLane.so"),
    ]
    var scenario = ScenarioExchange.Options()
    let scale = ProcessInfo.processInfo.environment["ARB_BENCH_REPLAY_SCALE"].flatMap { Int($0) } ?? 10
    scenario.markets = 200 * scale
    scenario.pairs = 50 * scale
    scenario.buckets = 10 * scale
    scenario.ladders = 10 * scale
    scenario.parities = 10 * scale
    let frames = ProcessInfo.processInfo.environment["ARB_BENCH_REPLAY_FRAMES"].flatMap { Int($0) } ?? 300_000
    // The same scenario recorded twice, the exchange read 200 frames at a time (the demo's
    // batch): the engine cycling after every frame, and once per batch; each tape replayed three times.
    let policies = ProcessInfo.processInfo.environment["ARB_BENCH_REPLAY_CYCLES"]
    // No paper fills, live or in the replays: the figure is the pipeline's, not the executor's.
    var options = Engine.Options()
    options.paper = false
    for conflate in [false, true] where policies == nil || policies == (conflate ? "batch" : "message") {
        let tapePath = NSTemporaryDirectory() + "arb-bench-\(getpid())-\(conflate).tape.jsonl"
        defer { try? FileManager.default.removeItem(atPath: tapePath) }
        do {
            let tape = try! TapeWriter(path: tapePath)
            let ticks = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
            defer { ticks.deallocate() }
            ticks.pointee = 1_764_072_000_000_000_000
            nonisolated(unsafe) let clock = ticks
            let runner = try! DemoRunner(
                manager: makeManager(venues), exchange: ScenarioExchange(options: scenario),
                clock: {
                    clock.pointee += 1_000
                    return clock.pointee
                }, tape: tape, options: options, output: { _ in })
            var sent = 0
            runner.run(framesPerBatch: 200, conflate: conflate) {
                sent += 200
                return sent > frames
            }
        }
        // Each run reads the file whole, then replays it: the replay alone (what the goal is about),
        // the read alone, and the two one after the other, timed in the same run.
        var runs: [Double] = []
        var reads: [Double] = []
        var readThenReplay: [Double] = []
        var (records, decisions, cycles, groups) = (0, 0, 0, 0)
        for _ in 0..<3 {
            let manager = makeManager(venues)
            let start = clockNanos()
            let tape = try! Tape.read(path: tapePath)
            let read = clockNanos()
            let result = try! TapeReplay.run(tape: tape, manager: manager, options: options)
            let end = clockNanos()
            records = tape.count
            runs.append(Double(records) / result.seconds)
            reads.append(Double(records) / (Double(read - start) / 1e9))
            readThenReplay.append(Double(records) / (Double(end - start) / 1e9))
            decisions = result.decisions.count
            cycles = result.summary.cycles
            groups = result.summary.groupsEvaluated
        }
        runs.sort()
        reads.sort()
        readThenReplay.sort()
        // The same tape as `arb replay` runs it: read on a second thread while it is replayed,
        // timed end to end (from opening the file, the universe header's parse included).
        var streamed: [Double] = []
        for _ in 0..<3 {
            let manager = makeManager(venues)
            let start = clockNanos()
            let result = try! TapeReplay.run(
                stream: try! TapeStream(path: tapePath), manager: manager, options: options)
            streamed.append(Double(result.records) / (Double(clockNanos() - start) / 1e9))
            precondition(result.decisions.count == decisions, "a streamed replay decides as the whole tape's")
        }
        streamed.sort()
        print(
            String(
                format:
                    "replay, %@: %d records (%d markets, two venues): median %.0f events/s through plugins and engine "
                    + "(3 runs, min %.0f, max %.0f; goal >= 1M); reading the tape file: median %.0f records/s; "
                    + "%d cycles, %d groups evaluated, %d decisions",
                conflate ? "a cycle per batch of 200 frames" : "a cycle per message", records,
                scenario.markets + scenario.pairs + 3 * scenario.buckets + 3 * scenario.ladders
                    + 2 * scenario.parities, percentile(runs, 0.5), runs.first!, runs.last!,
                percentile(reads, 0.5), cycles, groups, decisions))
        print(
            String(
                format:
                    "replay, %@, end to end as `arb replay` runs it: median %.0f events/s read from the file on "
                    + "a second thread while replayed (3 runs, min %.0f, max %.0f); read whole, then replayed: "
                    + "median %.0f (min %.0f, max %.0f)",
                conflate ? "a cycle per batch" : "a cycle per message", percentile(streamed, 0.5), streamed.first!,
                streamed.last!, percentile(readThenReplay, 0.5), readThenReplay.first!, readThenReplay.last!))
    }
}
