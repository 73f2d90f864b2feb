import CArbPluginAPI
import Foundation
import PluginHost
import PluginKit
import Testing

/// Each sizing step loaded from its .so and checked against values computed by hand (the
/// arithmetic is written out beside each expectation). The opportunity is the planted basket of
/// the integration tests: YES 0.45 + NO 0.50, 4 baskets, cost $0.985, edge $0.015 per basket.
@Suite(.serialized)
struct SizingStepTests {
    static let intra = "lane.intra_venue"

    /// A sandbox with the sim venue, the intra-venue lane and one step; returns the step.
    func step(_ library: String, id: String, config: String = "") throws -> (Sandbox, PluginManager, PluginInstance) {
        let box = try Sandbox()
        try box.write("10-venue.toml", PluginIntegrationTests.venueManifest)
        try box.write("20-lane.toml", manifest(id: Self.intra, kind: "lane", library: "libIntraVenueLane.so"))
        try box.write("30-step.toml", manifest(id: id, kind: "sizing", library: library, config: config))
        let manager = box.makeManager()
        let report = manager.reload()
        #expect(report.errors.isEmpty, "\(report.errors)")
        return (box, manager, try #require(manager.pipeline.sizingA.first))
    }

    /// Runs `step` with a context of `equity` and the lane record `wins`/`losses`.
    func run(
        _ step: PluginInstance, _ manager: PluginManager, baskets: CentiContracts = 400, equity: MicroDollars,
        wins: Int64 = 0, losses: Int64 = 0, mean: Int64 = 0, stdev: Int64 = 0, now: Int64 = 0, seed: UInt64 = 7,
        venueOpen: MicroDollars = 0, edit: (inout FoundOpportunity) -> Void = { _ in }
    ) throws -> PluginInstance.StepOutcome {
        let group = PluginIntegrationTests().plantedGroup()
        var opportunity = try #require(try manager.pipeline.lanes[0].evaluate(group).first)
        edit(&opportunity)
        var inputs = SizingInputs(equity: equity)
        inputs.now = now
        inputs.laneStatistics = [
            LaneStatistics(
                laneID: Self.intra, baskets: wins + losses, wins: wins, losses: losses, meanReturn: mean,
                stdevReturn: stdev,
                realizedPnL: 0)
        ]
        inputs.venueExposure = [Exposure(key: "sim", open: venueOpen)]
        return try inputs.withContext(laneID: Self.intra, seed: seed, group: group) {
            try step.size(opportunity, baskets: baskets, context: $0)
        }
    }

    func metric(_ o: PluginInstance.StepOutcome, _ name: String) -> Int64? {
        o.metrics.first { $0.name == name }?.value
    }

    @Test func kellyTailCapAndShrinkage() throws {
        let (box, manager, kelly) = try step("libKellyStep.so", id: "sizing.kelly")
        defer { box.remove() }
        // g = 0.015/0.985 = 0.0152284; ℓ = 0.03; q = 91/102 = 0.8921569; q_min = ℓ/(g+ℓ) = 0.6632997;
        // f* = (q·g − (1−q)·ℓ)/(g·ℓ) = 22.656863; Var q = 91·11/(102²·103) = 0.000934;
        // k = (q−q_min)²/((q−q_min)² + Var q) = 0.982478 (≥ 50 outcomes: clipped to [0.25, 1]);
        // λ·k·f* = 5.56 ⇒ capped at 1 ⇒ $10; tail cap 0.02·$10/(3·0.03) = $2.2222 ⇒ 2.2222/0.985 = 2.25 baskets.
        let o = try run(kelly, manager, equity: 10_000_000, wins: 90, losses: 10)
        #expect(o.verdictName == "resize")
        #expect(o.baskets == 225)
        #expect(metric(o, "kelly_ppm") == 22_656_863)
        #expect(metric(o, "shrink_ppm") == 982_478)
        #expect(metric(o, "q_min_ppm") == 663_300)
        #expect(o.reason == "tail cap $2.222222")
        // With $1,000 the tail cap ($222.22) is far above 4 baskets: keep.
        #expect(try run(kelly, manager, equity: 1_000_000_000, wins: 90, losses: 10).verdictName == "keep")
    }

    @Test func kellyWarmUpAndPoorRecord() throws {
        let (box, manager, kelly) = try step("libKellyStep.so", id: "sizing.kelly")
        defer { box.remove() }
        let warm = try run(kelly, manager, equity: 1_000_000_000, wins: 5, losses: 2)
        #expect(warm.baskets == 100)
        #expect(warm.reason == "only 7 outcomes recorded: one basket until 10")
        // q = 6/17 = 0.353 < q_min + 0.1 ⇒ reject.
        let poor = try run(kelly, manager, equity: 1_000_000_000, wins: 5, losses: 10)
        #expect(poor.isRejected)
        #expect(poor.reason == "fill record q 35.29% below break-even 66.33% + margin")
    }

    @Test func fractionalKellyIsPlain() throws {
        let (box, manager, kelly) = try step("libFractionalKellyStep.so", id: "sizing.kelly_fractional")
        defer { box.remove() }
        // f* = 22.66 capped at 1; 0.25·1·$10 = $2.50 ⇒ 2.5/0.985 = 2.538 ⇒ 253 centi-baskets.
        let o = try run(kelly, manager, equity: 10_000_000, wins: 90, losses: 10)
        #expect(o.baskets == 253)
        // No record: q = 1/2 ⇒ f* = (0.5·g − 0.5·ℓ)/(gℓ) < 0 ⇒ reject.
        #expect(try run(kelly, manager, equity: 10_000_000).isRejected)
    }

    @Test func lossCapScalesWithConfidence() throws {
        let (box, manager, cap) = try step("libLossCapStep.so", id: "sizing.loss_cap")
        defer { box.remove() }
        // c = 91/102; budget = $1000·(0.002 + 0.018·c) = $18.058823; per-basket loss ⌈0.03·0.985⌉ = $0.02955
        // ⇒ 611.12 baskets ≥ 4: keep.
        let o = try run(cap, manager, equity: 1_000_000_000, wins: 90, losses: 10)
        #expect(o.verdictName == "keep")
        #expect(metric(o, "budget_micros") == 18_058_823)
        // $10 of equity gives an $0.18 budget, below the $1 minimum.
        #expect(try run(cap, manager, equity: 10_000_000, wins: 90, losses: 10).isRejected)
    }

    @Test func capitalLockHurdleAndCarry() throws {
        let day: Int64 = 86_400_000_000_000
        let (box, manager, lock) = try step(
            "libCapitalLockStep.so", id: "sizing.capital_lock", config: "max_days = 100")
        defer { box.remove() }
        // 5 days + 1 settlement day: APR = (0.015/0.985)·365/6 = 92.64% ⇒ keep.
        let near = try run(lock, manager, equity: 1_000_000_000) { $0.resolutionTime = 5 * day }
        #expect(near.verdictName == "keep")
        #expect(metric(near, "apr_ppm") == 926_396)
        // 60 + 1 days: APR 9.11% < 10% ⇒ reject.
        let far = try run(lock, manager, equity: 1_000_000_000) { $0.resolutionTime = 60 * day }
        #expect(far.isRejected)
        #expect(far.reason == "APR 9.11% below hurdle 10%")
        let unknown = try run(lock, manager, equity: 1_000_000_000) { $0.resolutionTime = 0 }
        #expect(unknown.isRejected)
        box.remove()
        // 2% carry on the sim venue lowers the hurdle to 8%: keep.
        let (box2, manager2, carried) = try step(
            "libCapitalLockStep.so", id: "sizing.capital_lock", config: "max_days = 100\ncarry.sim = \"0.02\"")
        defer { box2.remove() }
        #expect(
            try run(carried, manager2, equity: 1_000_000_000) { $0.resolutionTime = 60 * day }.verdictName == "keep")
    }

    @Test func liquidityImpactCapsAtTheEdge() throws {
        let (box, manager, impact) = try step(
            "libLiquidityImpactStep.so", id: "sizing.liquidity_impact", config: "min_depth = \"1\"")
        defer { box.remove() }
        // D = min(10 YES, 4 NO within limits) = 4 baskets; C ≤ D·((g/κ))^(1/β) = 4·(0.0152284/0.1)^(2/3) = 1.1407.
        let o = try run(impact, manager, equity: 1_000_000_000)
        #expect(o.baskets == 114)
        #expect(metric(o, "depth_centi") == 400)
    }

    @Test func executionModelDecaysDepth() throws {
        let (box, manager, model) = try step("libExecutionModelStep.so", id: "sizing.execution_model")
        defer { box.remove() }
        // Offset = 0 s age + 0.2 s latency; decay 2^(−0.2/5) = 0.972655; NO depth 4 contracts ⇒ 3.89 baskets.
        let o = try run(model, manager, equity: 1_000_000_000)
        #expect(o.baskets == 389)
    }

    @Test func fillModelCorrelatesSameVenueLegs() throws {
        let (box, manager, fill) = try step("libFillModelStep.so", id: "sizing.fill_model")
        defer { box.remove() }
        #expect(try run(fill, manager, equity: 1_000_000_000).verdictName == "keep")
        // 40 baskets: p_YES = 10/40 = 0.25, p_NO = 4/40 = 0.1; same venue ρ = 0.7:
        // q = 0.7·0.1 + 0.3·0.025 = 0.0775 < 0.30 ⇒ reject.
        let big = try run(fill, manager, baskets: 4_000, equity: 1_000_000_000)
        #expect(big.isRejected)
        #expect(metric(big, "q_all_ppm") == 77_500)
    }

    @Test func feeModelReprices() throws {
        let (box, manager, fees) = try step(
            "libFeeModelStep.so", id: "sizing.fee_model", config: "min_edge = \"0.012\"")
        defer { box.remove() }
        // 4 baskets: fees ⌈0.07·4·0.45·0.55⌉ = 7¢ + ⌈0.07·4·0.25⌉ = 7¢ ⇒ 3.5¢ per basket; edge 1.5¢ ≥ 1.2¢.
        let o = try run(fees, manager, equity: 1_000_000_000)
        #expect(o.verdictName == "keep")
        #expect(metric(o, "fee_per_basket_micros") == 35_000)
        // 1 basket: 2¢ + 2¢ ⇒ edge 1¢ < 1.2¢; nothing smaller exists ⇒ reject.
        #expect(try run(fees, manager, baskets: 100, equity: 1_000_000_000).isRejected)
    }

    @Test func robustInputsRejectsAJump() throws {
        let (box, manager, robust) = try step("libRobustInputsStep.so", id: "sizing.robust_inputs")
        defer { box.remove() }
        // The SDK derives the edge as payout − cost, so set the cost.
        func edge(_ e: Int64) -> (inout FoundOpportunity) -> Void {
            {
                $0.cost = $0.payout - e; $0.edge = e
            }
        }
        for e: Int64 in [15_000, 14_000, 16_000, 15_000, 15_500, 16_000] {
            #expect(try run(robust, manager, equity: 1_000_000_000, edit: edge(e)).verdictName == "keep")
        }
        // 15¢ on 85¢ is 17.6% of cost against a median near 1.5%: a stale or mis-mapped quote.
        let jump = try run(robust, manager, equity: 1_000_000_000, edit: edge(150_000))
        #expect(jump.isRejected)
        #expect(jump.reason.hasPrefix("edge 17.65% of cost is an outlier"))
        // A 0.3-point move is within a tick's noise even with a tiny MAD: not an outlier.
        #expect(try run(robust, manager, equity: 1_000_000_000, edit: edge(18_000)).verdictName == "keep")
    }

    @Test func laneAllocatorSharpeWeights() throws {
        let (box, manager, allocator) = try step("libLaneAllocatorStep.so", id: "sizing.lane_allocator")
        defer { box.remove() }
        // Sharpe 2.0 shrunk by 50/80 ⇒ the only scored lane takes all of 1 − 0 ⇒ clamped to 40%:
        // $5 · 0.4 = $2 ⇒ 2.03 baskets.
        let o = try run(allocator, manager, equity: 5_000_000, wins: 40, losses: 10, mean: 20_000, stdev: 10_000)
        #expect(metric(o, "weight_ppm") == 400_000)
        #expect(o.baskets == 203)
    }

    @Test func exposureLimitsTheVenue() throws {
        let (box, manager, exposure) = try step("libExposureStep.so", id: "sizing.exposure")
        defer { box.remove() }
        // Venue limit 35% of $1000 = $350; $348 open leaves $2 ⇒ 2/0.985 = 2.03 baskets.
        let o = try run(exposure, manager, equity: 1_000_000_000, venueOpen: 348_000_000)
        #expect(o.baskets == 203)
        #expect(o.reason == "venue sim: $348 open of $350")
        #expect(try run(exposure, manager, equity: 1_000_000_000, venueOpen: 350_000_000).isRejected)
    }

    @Test func monteCarloIsDeterministicPerSeed() throws {
        let (box, manager, mc) = try step("libMonteCarloStep.so", id: "sizing.monte_carlo")
        defer { box.remove() }
        // 40 baskets: the legs fill with p 0.25 and 0.1 — most paths leg out.
        let a = try run(mc, manager, baskets: 4_000, equity: 1_000_000_000, seed: 42)
        let b = try run(mc, manager, baskets: 4_000, equity: 1_000_000_000, seed: 42)
        let c = try run(mc, manager, baskets: 4_000, equity: 1_000_000_000, seed: 43)
        #expect(a.metrics.map(\.value) == b.metrics.map(\.value))
        #expect(a.reason == b.reason)
        #expect(a.metrics.map(\.value) != c.metrics.map(\.value))
        #expect(a.isRejected, "a basket that usually legs out has negative mean P&L")
        #expect(metric(a, "paths") == 2_000)
        // At 4 baskets both legs are fully covered: every path completes and earns the edge.
        let full = try run(mc, manager, equity: 1_000_000_000, seed: 42)
        #expect(full.verdictName == "keep")
        #expect(metric(full, "mean_micros") == 15_000)
    }
}
