import CArbPluginAPI
import PluginKit

/// The result of running a sizing chain on one opportunity: the final size and every step's
/// verdict, reason and numbers, in order.
public struct SizingPlan: Sendable {
    public var baskets: CentiContracts
    public var trace: [PluginInstance.StepOutcome]
    /// The step that rejected, or nil when the plan survived.
    public var rejectedBy: String?
    /// A step that failed to answer (its error); the plan is rejected.
    public var failure: PluginCallError?

    public var isAccepted: Bool { rejectedBy == nil && failure == nil && baskets > 0 }
}

/// Runs sizing steps in manifest order. Engine thread.
public enum SizingChain {
    /// Starts from the lane's executable size; each step may keep, shrink or reject.
    public static func run(
        _ steps: [PluginInstance], _ opportunity: FoundOpportunity, context: UnsafePointer<arb_sizing_context>
    ) -> SizingPlan {
        var plan = SizingPlan(baskets: opportunity.maxBaskets, trace: [])
        for step in steps {
            do {
                let outcome = try step.size(opportunity, baskets: plan.baskets, context: context)
                plan.trace.append(outcome)
                if outcome.isRejected {
                    plan.rejectedBy = step.manifest.id
                    plan.baskets = 0
                    return plan
                }
                plan.baskets = outcome.baskets
            } catch {
                plan.failure = error
                plan.rejectedBy = step.manifest.id
                plan.baskets = 0
                return plan
            }
        }
        return plan
    }
}
