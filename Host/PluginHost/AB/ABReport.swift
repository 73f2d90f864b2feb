import Foundation
import PluginKit

/// Arm A against arm B over recorded opportunities: sizes, expected profit, simulated P&L,
/// rejections by step, and a paired significance estimate of the profit difference.
public struct ABReport: Sendable {
    public struct ArmSummary: Sendable, Equatable {
        public var accepted = 0
        public var contracts: CentiContracts = 0
        public var expectedProfit: MicroDollars = 0
        public var simulatedPnL: MicroDollars = 0
        public var rejectionsByStep: [String: Int] = [:]
    }

    public var opportunities = 0
    public var a = ArmSummary()
    public var b = ArmSummary()
    /// Mean of (B − A) simulated P&L per opportunity, its standard error, t and two-sided p.
    public var meanDifference: Double = 0
    public var standardError: Double = 0
    public var tStatistic: Double = 0
    public var pValue: Double = 1

    public init(records: [ABRecord]) {
        opportunities = records.count
        func add(_ arm: ABRecord.Arm, to summary: inout ArmSummary) {
            if let step = arm.rejectedBy {
                summary.rejectionsByStep[step, default: 0] += 1
            } else if arm.baskets > 0 {
                summary.accepted += 1
            }
            summary.contracts += arm.baskets
            summary.expectedProfit += arm.expectedProfit
            summary.simulatedPnL += arm.simulatedPnL
        }
        for r in records {
            add(r.a, to: &a)
            add(r.b, to: &b)
        }
        let differences = records.map { Double($0.b.simulatedPnL - $0.a.simulatedPnL) }
        guard differences.count >= 2 else { return }
        let n = Double(differences.count)
        meanDifference = differences.reduce(0, +) / n
        let variance = differences.map { ($0 - meanDifference) * ($0 - meanDifference) }.reduce(0, +) / (n - 1)
        standardError = (variance / n).squareRoot()
        if standardError > 0 {
            tStatistic = meanDifference / standardError
            // Normal approximation of the paired t-test (n is large in any useful comparison).
            pValue = erfc(abs(tStatistic) / 2.0.squareRoot())
        } else {
            tStatistic = 0
            pValue = meanDifference == 0 ? 1 : 0
        }
    }

    /// Reads a JSON Lines file written by ``ABRecorder``; names the line of a bad record.
    public static func load(path: String) throws -> [ABRecord] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n", omittingEmptySubsequences: true).enumerated().map { index, line in
            do {
                return try decoder.decode(ABRecord.self, from: Data(line.utf8))
            } catch {
                throw ABReportError(description: "\(path):\(index + 1): not an A/B record: \(error)")
            }
        }
    }

    /// The side-by-side table.
    public var text: String {
        func dollars(_ m: MicroDollars) -> String { "$" + FixedPoint.format(m, scale: FixedPoint.micros) }
        func contracts(_ c: CentiContracts) -> String { FixedPoint.format(c, scale: FixedPoint.centi) }
        let rows: [(String, String, String)] = [
            ("opportunities", "\(opportunities)", "\(opportunities)"),
            ("plans (accepted)", "\(a.accepted)", "\(b.accepted)"),
            ("contracts", contracts(a.contracts), contracts(b.contracts)),
            ("expected profit", dollars(a.expectedProfit), dollars(b.expectedProfit)),
            ("simulated P&L", dollars(a.simulatedPnL), dollars(b.simulatedPnL)),
        ]
        let steps = Set(a.rejectionsByStep.keys).union(b.rejectionsByStep.keys).sorted()
        let rejectionRows = steps.map {
            ("rejected by \($0)", "\(a.rejectionsByStep[$0] ?? 0)", "\(b.rejectionsByStep[$0] ?? 0)")
        }
        let all = [("", "arm A (live)", "arm B (shadow)")] + rows + rejectionRows
        let w0 = all.map(\.0.count).max() ?? 0
        let w1 = all.map(\.1.count).max() ?? 0
        var lines = all.map {
            $0.0.padding(toLength: w0, withPad: " ", startingAt: 0) + "  "
                + $0.1.padding(toLength: w1, withPad: " ", startingAt: 0) + "  " + $0.2
        }
        lines.append(
            String(
                format: "B − A simulated P&L per opportunity: mean %@ ± %@ (standard error), t = %.2f, p = %.3g%@",
                dollars(MicroDollars(meanDifference.rounded())), dollars(MicroDollars(standardError.rounded())),
                tStatistic,
                pValue, pValue < 0.05 ? " — significant at 5%" : " — not significant at 5%"))
        return lines.joined(separator: "\n")
    }
}

public struct ABReportError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
