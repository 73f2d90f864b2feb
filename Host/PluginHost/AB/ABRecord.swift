import Foundation
import PluginKit

/// One opportunity as both sizing arms saw it. Arm A is live (it would be executed), arm B is
/// the shadow. Money in micro-dollars, sizes in centi-contracts.
public struct ABRecord: Codable, Sendable, Equatable {
    public struct Arm: Codable, Sendable, Equatable {
        public var baskets: CentiContracts
        /// The step that rejected it, or nil when a positive size survived.
        public var rejectedBy: String?
        /// baskets × edge per basket.
        public var expectedProfit: MicroDollars
        /// Monte Carlo mean P&L per basket × baskets, where the chain has a Monte Carlo step;
        /// else equal to the expected profit.
        public var simulatedPnL: MicroDollars

        public init(
            baskets: CentiContracts, rejectedBy: String?, expectedProfit: MicroDollars, simulatedPnL: MicroDollars
        ) {
            self.baskets = baskets
            self.rejectedBy = rejectedBy
            self.expectedProfit = expectedProfit
            self.simulatedPnL = simulatedPnL
        }
    }

    public var opportunityID: String
    public var laneID: String
    public var time: Nanoseconds
    public var edge: MicroDollars
    public var a: Arm
    public var b: Arm

    public init(opportunityID: String, laneID: String, time: Nanoseconds, edge: MicroDollars, a: Arm, b: Arm) {
        self.opportunityID = opportunityID
        self.laneID = laneID
        self.time = time
        self.edge = edge
        self.a = a
        self.b = b
    }

    /// Summarises a plan for the record.
    public static func arm(_ plan: SizingPlan, edge: MicroDollars) -> Arm {
        let simulatedPerBasket =
            plan.trace.last { isMonteCarlo($0.stepID) }?.metrics
            .first { $0.name == "mean_micros" }?.value ?? edge
        return Arm(
            baskets: plan.baskets, rejectedBy: plan.rejectedBy, expectedProfit: plan.baskets * edge / FixedPoint.centi,
            simulatedPnL: plan.baskets * simulatedPerBasket / FixedPoint.centi)
    }

    /// The step id names a Monte Carlo step (`sizing.monte_carlo`, or a variant of it). Compared
    /// as bytes: Foundation's `String.contains`, which `import Foundation` selects, searched with
    /// CFStringFind and cost 5% of an A/B replay; the standard library's generic
    /// `utf8.contains(_:)` cost more still (perf, `arb replay` of a demo tape).
    static func isMonteCarlo(_ stepID: String) -> Bool {
        let name: StaticString = "monte_carlo"
        var id = stepID
        return id.withUTF8 { bytes in
            let n = name.utf8CodeUnitCount
            guard bytes.count >= n else { return false }
            for start in 0...(bytes.count - n)
            where memcmp(bytes.baseAddress! + start, name.utf8Start, n) == 0 {
                return true
            }
            return false
        }
    }
}

/// Appends A/B records as JSON Lines. Not thread-safe: the engine thread writes.
public final class ABRecorder {
    private let handle: FileHandle
    private let encoder = JSONEncoder()
    public private(set) var count = 0

    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle.seekToEndOfFile()
        self.handle = handle
        encoder.outputFormatting = .sortedKeys
    }

    deinit { try? handle.close() }

    public func append(_ record: ABRecord) throws {
        var line = try encoder.encode(record)
        line.append(0x0A)
        handle.write(line)
        count += 1
    }
}
