import Foundation
import PluginKit

/// Human text for plans: one line for the basket, one per sizing step.
enum PlanText {
    static func describe(_ plan: SizingPlan, _ o: FoundOpportunity, legs: [String]) -> String {
        func dollars(_ m: Int64) -> String { "$" + FixedPoint.format(m, scale: FixedPoint.micros) }
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        let outcome =
            plan.isAccepted
            ? "\(FixedPoint.format(plan.baskets, scale: FixedPoint.centi)) baskets"
            : "rejected by \(plan.rejectedBy ?? "?")"
        var lines = [
            "plan [\(o.laneID)] \(legs.joined(separator: " + ")): edge \(dollars(o.edge))/basket, lane size "
                + "\(FixedPoint.format(o.maxBaskets, scale: FixedPoint.centi)) → \(outcome)"
        ]
        for step in plan.trace {
            let numbers = step.metrics.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            lines.append(
                "  \(pad(step.stepID, 24)) \(pad(step.verdictName, 6)) "
                    + "\(pad(FixedPoint.format(step.baskets, scale: FixedPoint.centi), 6)) \(step.reason)  \(numbers)")
        }
        return lines.joined(separator: "\n")
    }
}
