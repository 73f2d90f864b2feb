// arb-bench: the cost of calling a plugin through the C ABI.
//
// Compares, in one run and interleaved batch by batch, the same lane evaluation
//   dlopen  — the host calls libIntraVenueLane.so through arb_lane_v1.evaluate (the real path:
//             C thunk, Swift views over the C group, results copied back through the sink);
//   static  — the same IntraVenueLane code linked into this binary, called directly in Swift.
// Both use the same group memory and the same host services (fees come from the dlopen'd
// SimVenue through arb_host.fee in both cases). Run with `make bench` (release build).
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
