import CArbPluginAPI

/// One step of the sizing chain: keeps, shrinks or rejects a basket size.
///
/// The host runs the enabled steps in manifest order on every opportunity. Everything a step
/// may need from the host (balances, exposure, lane statistics, drawdown) arrives in the
/// ``SizingContext``, never through globals. Engine thread; never two calls at once.
public protocol SizingStepPlugin: AnyObject, SendableMetatype {
    /// Creates the step from its manifest's `[config]`. Throw ``PluginError/config(_:)`` to reject it.
    init(host: HostServices, config: borrowing ConfigReader) throws

    /// Decides on `opportunity` whose size so far is `baskets` (x 100).
    func size(_ opportunity: Opportunity, baskets: CentiContracts, context: SizingContext) throws -> SizingDecision
}

/// A step's answer, with the reason and numbers that go into the plan's trace.
public struct SizingDecision: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case keep
        /// A smaller size (a larger one is treated as keep).
        case resize(CentiContracts)
        case reject
    }

    public var verdict: Verdict
    public var reason: String
    /// Named integers for the trace, e.g. `("multiplier_ppm", 750_000)`.
    public var metrics: [(name: String, value: Int64)]

    public init(_ verdict: Verdict, reason: String, metrics: [(name: String, value: Int64)] = []) {
        self.verdict = verdict
        self.reason = reason
        self.metrics = metrics
    }

    public static func == (a: SizingDecision, b: SizingDecision) -> Bool {
        a.verdict == b.verdict && a.reason == b.reason && a.metrics.elementsEqual(b.metrics, by: { $0 == $1 })
    }
}

/// A key and the cost of its open positions.
public struct Exposure: Sendable, Hashable {
    public var key: String
    public var open: MicroDollars

    public init(key: String, open: MicroDollars) {
        self.key = key
        self.open = open
    }
}

/// Per-lane statistics kept by the host.
public struct LaneStatistics: Sendable, Hashable {
    public var laneID: String
    public var baskets: Int64
    public var wins: Int64
    public var losses: Int64
    public var meanReturn: PartsPerMillion
    public var stdevReturn: PartsPerMillion
    public var realizedPnL: MicroDollars

    public init(
        laneID: String, baskets: Int64, wins: Int64, losses: Int64, meanReturn: PartsPerMillion,
        stdevReturn: PartsPerMillion, realizedPnL: MicroDollars
    ) {
        self.laneID = laneID
        self.baskets = baskets
        self.wins = wins
        self.losses = losses
        self.meanReturn = meanReturn
        self.stdevReturn = stdevReturn
        self.realizedPnL = realizedPnL
    }
}

/// A borrowed view of what the host knows for sizing. Valid only during the call.
public struct SizingContext {
    let pointer: UnsafePointer<arb_sizing_context>

    init(_ pointer: UnsafePointer<arb_sizing_context>) { self.pointer = pointer }

    public var now: Nanoseconds { pointer.pointee.now_ns }
    public var equity: MicroDollars { pointer.pointee.equity_micros }
    public var cash: MicroDollars { pointer.pointee.cash_micros }
    public var highWaterMark: MicroDollars { pointer.pointee.high_water_micros }
    public var dayStartEquity: MicroDollars { pointer.pointee.day_start_equity_micros }
    /// The lane that found the opportunity.
    public var laneID: String { pointer.pointee.lane_id.string }
    /// Deterministic per opportunity: seed Monte Carlo with it.
    public var seed: UInt64 { pointer.pointee.seed }
    /// The group the opportunity came from, when the host passed it.
    public var group: Group? { pointer.pointee.group.map(Group.init) }

    public var venueExposure: [Exposure] {
        exposures(pointer.pointee.venue_exposure, pointer.pointee.venue_exposure_count)
    }
    public var categoryExposure: [Exposure] {
        exposures(pointer.pointee.category_exposure, pointer.pointee.category_exposure_count)
    }
    public var marketExposure: [Exposure] {
        exposures(pointer.pointee.market_exposure, pointer.pointee.market_exposure_count)
    }

    public var laneStatistics: [LaneStatistics] {
        guard let base = pointer.pointee.lane_stats else { return [] }
        return (0..<Int(pointer.pointee.lane_stats_count)).map { i in
            let s = base[i]
            return LaneStatistics(
                laneID: s.lane_id.string, baskets: s.baskets, wins: s.wins, losses: s.losses,
                meanReturn: s.mean_return_ppm, stdevReturn: s.stdev_return_ppm, realizedPnL: s.realized_pnl_micros)
        }
    }

    private func exposures(_ base: UnsafePointer<arb_exposure>?, _ count: UInt32) -> [Exposure] {
        guard let base else { return [] }
        return (0..<Int(count)).map { Exposure(key: base[$0].key.string, open: base[$0].open_micros) }
    }
}
