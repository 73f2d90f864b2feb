// arb-bench: the cost of calling a plugin through the C ABI.
//
// Compares, in one run and interleaved batch by batch, the same lane evaluation
//   dlopen  — the host calls libIntraVenueLane.so through arb_lane_v1.evaluate (the real path:
//             C thunk, Swift views over the C group, results copied back through the sink);
//   static  — the same IntraVenueLane code linked into this binary, called directly in Swift.
// Both use the same group memory and the same host services (fees come from the dlopen'd
// SimVenue through arb_host.fee in both cases). Run with `make bench` (release build).
import CArbPluginAPI
import Foundation
import IntraVenueLane
import PluginHost
import PluginKit

let batch = 1_000
let samples = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 2_000

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

let root = NSTemporaryDirectory() + "arb-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: root + "/plugins.d", withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: root) }
try "id = \"venue.sim\"\nkind = \"venue\"\nlibrary = \"libSimVenue.so\"\n".write(
    toFile: root + "/plugins.d/10-venue.toml", atomically: true, encoding: .utf8)
try "id = \"lane.intra_venue\"\nkind = \"lane\"\nlibrary = \"libIntraVenueLane.so\"\n".write(
    toFile: root + "/plugins.d/20-lane.toml", atomically: true, encoding: .utf8)
let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    .path
let manager = PluginManager(
    directory: ManifestDirectory(path: root + "/plugins.d"),
    loader: LibraryLoader(searchPath: [binDirectory], cacheDirectory: root + "/cache"),
    runtime: HostRuntime(state: FileStateStore(directory: root + "/state")))
let report = manager.reload()
guard report.errors.isEmpty, let dynamicLane = manager.pipeline.lanes.first else {
    print("cannot load plugins from \(binDirectory): \(report.errors) — run `swift build -c release` first")
    exit(1)
}
let staticLane = try withConfigTable(.table([])) { config in
    Result { try StaticEmbedding.makeLane(IntraVenueLane.self, host: dynamicLane.hostTable, config: config) }
}.get()

// The planted 1.5-cent basket of the integration tests: two ladder levels per side.
let group = GroupSnapshot(kind: .single, groupID: "B-1", markets: [MarketRecord(venue: "sim", marketID: "B-1")])
group.setQuote(
    QuoteRecord(
        yesAsks: [Level(price: 450_000, size: 1_000), Level(price: 480_000, size: 5_000)],
        noAsks: [Level(price: 500_000, size: 400), Level(price: 530_000, size: 10_000)]), at: 0)

let dynamicFound = try dynamicLane.evaluate(group)
let staticFound = try StaticEmbedding.evaluate(staticLane, group: group.group)
guard dynamicFound.count == 1, staticFound.count == 1, dynamicFound[0].edge == staticFound[0].edge else {
    print("the two paths disagree: \(dynamicFound) vs \(staticFound)")
    exit(1)
}

/// Times both paths on `snapshot`, interleaved; returns sorted ns per call (dlopen, static).
@MainActor
func measure(_ snapshot: GroupSnapshot) throws -> ([Double], [Double]) {
    var dynamicTimes: [Double] = []
    var staticTimes: [Double] = []
    var sink = 0
    for _ in 0..<100 {
        sink &+=
            try dynamicLane.evaluate(snapshot).count
            &+ StaticEmbedding.evaluate(staticLane, group: snapshot.group).count
    }
    for i in 0..<samples {
        // Alternate which goes first, so drift and cache effects fall on both equally.
        for pass in (i % 2 == 0 ? [0, 1] : [1, 0]) {
            let start = now()
            if pass == 0 {
                for _ in 0..<batch { sink &+= try dynamicLane.evaluate(snapshot).count }
                dynamicTimes.append(Double(now() - start) / Double(batch))
            } else {
                for _ in 0..<batch { sink &+= try StaticEmbedding.evaluate(staticLane, group: snapshot.group).count }
                staticTimes.append(Double(now() - start) / Double(batch))
            }
        }
    }
    if sink == 42 { print("") }  // keeps the work observable
    return (dynamicTimes.sorted(), staticTimes.sorted())
}

func line(_ name: String, _ t: [Double]) -> String {
    String(
        format: "  %-7@ median %7.1f ns  p90 %7.1f ns  p99 %7.1f ns  min %7.1f ns", name as NSString,
        percentile(t, 0.5), percentile(t, 0.9), percentile(t, 0.99), t[0])
}

func report(_ title: String, _ times: ([Double], [Double])) {
    print("\(title) — \(samples) samples x \(batch) calls:")
    print(line("dlopen", times.0))
    print(line("static", times.1))
    print(
        String(
            format: "  ratio dlopen/static (medians): %.3fx  (goal <= 1.05x)",
            percentile(times.0, 0.5) / percentile(times.1, 0.5)))
}

// The common case: a consistent book, nothing to report (YES 0.54 + NO 0.47 = 1.01).
let quiet = GroupSnapshot(kind: .single, groupID: "B-2", markets: [MarketRecord(venue: "sim", marketID: "B-2")])
quiet.setQuote(
    QuoteRecord(yesAsks: [Level(price: 540_000, size: 100)], noAsks: [Level(price: 470_000, size: 100)]), at: 0)
report("lane call, nothing found (the common case)", try measure(quiet))
if ProcessInfo.processInfo.environment["ARB_BENCH_ONLY_QUIET"] != nil { exit(0) }
report(
    "lane call, one basket found (depth walk over 2x2 levels, 4 fee calls, result copied to the host)",
    try measure(group))

// MARK: The full sizing chain of plugins.d (arm A), per opportunity.

let repositoryPlugins = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("plugins.d").path
let chainManager = PluginManager(
    directory: ManifestDirectory(path: ProcessInfo.processInfo.environment["ARB_PLUGINS_DIR"] ?? repositoryPlugins),
    loader: LibraryLoader(searchPath: [binDirectory], cacheDirectory: root + "/cache"),
    runtime: HostRuntime(state: FileStateStore(directory: root + "/chain-state")))
let chainReport = chainManager.reload()
guard chainReport.errors.isEmpty, let chainLane = chainManager.pipeline.lanes.first else {
    print("cannot load \(repositoryPlugins): \(chainReport.errors)")
    exit(1)
}
let steps = chainManager.pipeline.sizingA
// The planted basket again, on a market that resolves in 5 days (the capital-lock step needs it).
var chainMarket = MarketRecord(venue: "sim", marketID: "B-3", closeTime: 5 * 86_400_000_000_000)
chainMarket.eventID = "B"
let chainGroup = GroupSnapshot(kind: .single, groupID: "B-3", markets: [chainMarket])
chainGroup.setQuote(
    QuoteRecord(
        yesAsks: [Level(price: 450_000, size: 1_000), Level(price: 480_000, size: 5_000)],
        noAsks: [Level(price: 500_000, size: 400), Level(price: 530_000, size: 10_000)]), at: 0)
let chainOpportunity = try chainLane.evaluate(chainGroup)[0]
var chainInputs = SizingInputs(equity: 10_000_000_000)
chainInputs.laneStatistics = [
    LaneStatistics(
        laneID: "lane.intra_venue", baskets: 100, wins: 90, losses: 10, meanReturn: 12_000, stdevReturn: 8_000,
        realizedPnL: 0)
]
let chainTimes: [Double] = try chainInputs.withContext(laneID: "lane.intra_venue", seed: 0, group: chainGroup) {
    context in
    var times: [Double] = []
    var rejections: [String: Int] = [:]
    var accepted = 0
    // One context for the whole run (built outside the timed region); only the seed changes.
    for i in 0..<(samples + 200) {
        context.pointee.seed = UInt64(i)
        let start = now()
        let plan = SizingChain.run(steps, chainOpportunity, context: context)
        let elapsed = Double(now() - start)
        if i >= 200 { times.append(elapsed) }  // the first 200 warm up caches and the robust-input window
        if plan.isAccepted { accepted += 1 }
        if let step = plan.rejectedBy { rejections[step, default: 0] += 1 }
        if let failure = plan.failure { throw failure }
    }
    print(
        "sizing chain: \(steps.count) steps of arm A (\(steps.map(\.manifest.id).joined(separator: ", "))), \(accepted) of \(samples + 200) plans accepted\(rejections.isEmpty ? "" : ", rejected by \(rejections)")"
    )
    return times.sorted()
}
print(
    String(
        format:
            "  per opportunity: median %.1f µs  p90 %.1f µs  p99 %.1f µs  p99.9 %.1f µs  max %.1f µs  (goal p99 <= 200 µs, Monte Carlo 2,000 paths)",
        percentile(chainTimes, 0.5) / 1_000, percentile(chainTimes, 0.9) / 1_000, percentile(chainTimes, 0.99) / 1_000,
        percentile(chainTimes, 0.999) / 1_000, chainTimes.last! / 1_000))
