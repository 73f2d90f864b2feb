import PluginKit
import Testing

@testable import PluginHost

struct ABRecordTests {
    func step(_ id: String, mean: Int64? = nil) -> PluginInstance.StepOutcome {
        PluginInstance.StepOutcome(
            stepID: id, verdict: 0, baskets: 200, reason: "",
            metrics: mean.map { [(name: "q05_micros", value: -1), (name: "mean_micros", value: $0)] } ?? [])
    }

    @Test func simulatedPnLComesFromTheLastMonteCarloStep() {
        // 2 baskets (200 centi) at an edge of $0.03: expected 60,000 micros; the last Monte
        // Carlo step's mean of 12,000 per basket gives 24,000.
        let plan = SizingPlan(
            baskets: 200,
            trace: [
                step("sizing.kelly"), step("sizing.monte_carlo", mean: 5_000),
                step("vendor.monte_carlo_v2", mean: 12_000), step("sizing.loss_cap"),
            ])
        let arm = ABRecord.arm(plan, edge: 30_000)
        #expect(arm.expectedProfit == 60_000)
        #expect(arm.simulatedPnL == 24_000)
        // Without a Monte Carlo step the simulated P&L is the expected one.
        let plain = ABRecord.arm(SizingPlan(baskets: 200, trace: [step("sizing.kelly", mean: 9_000)]), edge: 30_000)
        #expect(plain.simulatedPnL == 60_000)
    }

    @Test func monteCarloStepIDsAreFoundAnywhereInTheID() {
        for id in ["monte_carlo", "sizing.monte_carlo", "x.monte_carlo_v2", "ab.monte_carlo.b"] {
            #expect(ABRecord.isMonteCarlo(id), "\(id)")
        }
        for id in ["", "monte", "sizing.monte_carl", "sizing.montecarlo", "MONTE_CARLO", "sizing.monte-carlo"] {
            #expect(!ABRecord.isMonteCarlo(id), "\(id)")
        }
    }
}
