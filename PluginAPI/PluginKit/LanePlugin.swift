public import CArbPluginAPI

/// A detection lane: finds baskets with a guaranteed payout in groups of related markets.
///
/// The host calls ``evaluate(_:emit:)`` on the engine thread for each group it marked dirty,
/// never twice at once on the same instance. Keep state in the instance, not in globals: the
/// host may create several instances of one library (A/B arms).
public protocol LanePlugin: AnyObject, SendableMetatype {
    /// Creates the lane from its manifest's `[config]`. Throw ``PluginError/config(_:)`` to reject it.
    init(host: HostServices, config: borrowing ConfigReader) throws

    /// The group kinds this lane evaluates.
    static var groupKinds: Set<GroupKind> { get }

    /// Evaluates one group; calls `emit` for each basket found. `emit` returns false when the
    /// host wants no more from this call.
    func evaluate(_ group: Group, emit: (Opportunity) -> Bool) throws

    /// How a basket this lane found ended (ABI 1.2). The default ignores it.
    func record(_ outcome: LaneOutcome)
}

extension LanePlugin {
    public func record(_ outcome: LaneOutcome) {}
}

/// How a basket a lane found ended, as the host recorded it (`arb_lane_outcome`).
public struct LaneOutcome: Sendable, Hashable {
    public enum Kind: UInt32, Sendable {
        /// Every leg filled and the basket's P&L is >= 0.
        case win = 1
        /// Incomplete, negative P&L, or rejected after confirmation.
        case loss = 2
    }

    public var kind: Kind
    public var groupID: String
    public var opportunityID: String
    public var pnl: MicroDollars
    public var time: Nanoseconds

    public init(kind: Kind, groupID: String, opportunityID: String, pnl: MicroDollars, time: Nanoseconds) {
        self.kind = kind
        self.groupID = groupID
        self.opportunityID = opportunityID
        self.pnl = pnl
        self.time = time
    }
}

/// Kinds of market groups (`ARB_GROUP_*`).
public enum GroupKind: UInt32, Sendable, Hashable, CaseIterable {
    case single = 1
    case pair = 2
    case bucket = 3
    case parity = 4
    case tree = 5
}

/// A borrowed view of a group of markets. Valid only during ``LanePlugin/evaluate(_:emit:)``.
public struct Group {
    let pointer: UnsafePointer<arb_group>

    init(_ pointer: UnsafePointer<arb_group>) { self.pointer = pointer }

    public var kind: GroupKind? { GroupKind(rawValue: pointer.pointee.kind) }
    public var groupID: String { pointer.pointee.group_id.string }
    /// The cycle's clock (the tape's clock in replay).
    public var now: Nanoseconds { pointer.pointee.now_ns }
    /// Exactly one member resolves YES, as proven by the rule.
    public var isExhaustive: Bool { pointer.pointee.flags & UInt32(ARB_GROUP_EXHAUSTIVE) != 0 }
    public var isReviewed: Bool { pointer.pointee.flags & UInt32(ARB_GROUP_REVIEWED) != 0 }
    public var hasSameTerms: Bool { pointer.pointee.flags & UInt32(ARB_GROUP_SAME_TERMS) != 0 }
    /// Tree groups: members imply one another in ``Member/role`` order (ladders, nested deadlines).
    public var isLadder: Bool { pointer.pointee.flags & UInt32(ARB_GROUP_LADDER) != 0 }

    public var members: Members {
        Members(buffer: UnsafeBufferPointer(start: pointer.pointee.members, count: Int(pointer.pointee.member_count)))
    }

    /// The members of a group.
    public struct Members: RandomAccessCollection {
        let buffer: UnsafeBufferPointer<arb_group_member>
        public var startIndex: Int { 0 }
        public var endIndex: Int { buffer.count }
        public subscript(position: Int) -> Member {
            Member(buffer.baseAddress! + position, index: UInt32(position))
        }
    }
}

/// One market of a group, with its quote.
public struct Member {
    let pointer: UnsafePointer<arb_group_member>
    /// Index in ``Group/members``; legs refer to members by it.
    public let index: UInt32

    init(_ pointer: UnsafePointer<arb_group_member>, index: UInt32) {
        self.pointer = pointer
        self.index = index
    }

    public var market: Market { Market(pointer.pointee.market) }
    /// Nil until the market's first book arrived.
    public var quote: Quote? { pointer.pointee.quote.map(Quote.init) }
    /// This member's YES is the group's NO.
    public var isInverted: Bool { pointer.pointee.flags & UInt32(ARB_MEMBER_INVERTED) != 0 }
    public var role: Int32 { pointer.pointee.role }
    public var strike: MicroDollars { pointer.pointee.strike_micros }
}

/// One leg of a basket.
public struct Leg: Sendable, Hashable {
    public var memberIndex: UInt32
    public var side: Side
    public var action: Action
    /// Worst price the edge was computed at.
    public var limitPrice: MicroDollars
    /// Contracts per basket (100 = one contract).
    public var ratio: CentiContracts
    /// Fee per basket for this leg at the planned size.
    public var fee: MicroDollars
    public var liquidity: Liquidity

    public init(
        memberIndex: UInt32, side: Side, action: Action = .buy, limitPrice: MicroDollars,
        ratio: CentiContracts = FixedPoint.centi, fee: MicroDollars, liquidity: Liquidity = .taker
    ) {
        self.memberIndex = memberIndex
        self.side = side
        self.action = action
        self.limitPrice = limitPrice
        self.ratio = ratio
        self.fee = fee
        self.liquidity = liquidity
    }
}

/// A basket a lane found: legs, guaranteed payout, cost and executable size.
public struct Opportunity: Sendable, Hashable {
    public var legs: [Leg]
    /// Payout per basket in the worst state.
    public var payout: MicroDollars
    /// Prices plus fees per basket.
    public var cost: MicroDollars
    /// Executable size at this edge, in baskets x 100.
    public var maxBaskets: CentiContracts
    public var resolutionTime: Nanoseconds
    /// A feed-integrity alarm rather than a trade.
    public var isDataQualityAlarm: Bool
    public var isMakerEstimate: Bool
    public var note: String

    /// Worst-case profit per basket after fees.
    public var edge: MicroDollars { payout - cost }

    public init(
        legs: [Leg], payout: MicroDollars, cost: MicroDollars, maxBaskets: CentiContracts,
        resolutionTime: Nanoseconds = 0, isDataQualityAlarm: Bool = false, isMakerEstimate: Bool = false,
        note: String = ""
    ) {
        self.legs = legs
        self.payout = payout
        self.cost = cost
        self.maxBaskets = maxBaskets
        self.resolutionTime = resolutionTime
        self.isDataQualityAlarm = isDataQualityAlarm
        self.isMakerEstimate = isMakerEstimate
        self.note = note
    }

    /// Copies an opportunity out of C memory (the SDK for sizing steps; hosts for what lanes emit).
    public init(unsafeCOpportunity pointer: UnsafePointer<arb_opportunity>) {
        let o = pointer.pointee
        legs = (0..<Int(o.leg_count)).map { i in
            let l = o.legs[i]
            return Leg(
                memberIndex: l.member_index, side: Side(rawValue: l.side) ?? .yes,
                action: Action(rawValue: l.action) ?? .buy, limitPrice: l.limit_price_micros, ratio: l.ratio_centi,
                fee: l.fee_micros, liquidity: Liquidity(rawValue: l.liquidity) ?? .taker)
        }
        payout = o.payout_micros
        cost = o.cost_micros
        maxBaskets = o.max_baskets_centi
        resolutionTime = o.resolution_time_ns
        isDataQualityAlarm = o.flags & UInt32(ARB_OPP_DATA_QUALITY_ALARM) != 0
        isMakerEstimate = o.flags & UInt32(ARB_OPP_MAKER_ESTIMATE) != 0
        note = o.note.string
    }

    /// Calls `body` with a C view of this opportunity, valid only during `body`.
    public func withCOpportunity<R>(_ body: (UnsafePointer<arb_opportunity>) -> R) -> R {
        var flags: UInt32 = 0
        if isDataQualityAlarm { flags |= UInt32(ARB_OPP_DATA_QUALITY_ALARM) }
        if isMakerEstimate { flags |= UInt32(ARB_OPP_MAKER_ESTIMATE) }
        // The C legs live on the stack for the call: no allocation on the hot path.
        return withUnsafeTemporaryAllocation(of: arb_leg.self, capacity: legs.count) { cLegs in
            for (i, leg) in legs.enumerated() {
                cLegs.initializeElement(
                    at: i,
                    to: arb_leg(
                        struct_size: UInt32(MemoryLayout<arb_leg>.size), member_index: leg.memberIndex,
                        side: leg.side.rawValue, action: leg.action.rawValue, limit_price_micros: leg.limitPrice,
                        ratio_centi: leg.ratio, fee_micros: leg.fee, liquidity: leg.liquidity.rawValue, reserved0: 0))
            }
            return withArbStr(note) { noteStr in
                var c = arb_opportunity(
                    struct_size: UInt32(MemoryLayout<arb_opportunity>.size), flags: flags,
                    leg_count: UInt32(legs.count), reserved0: 0, legs: UnsafePointer(cLegs.baseAddress),
                    payout_micros: payout, cost_micros: cost, edge_micros: payout - cost,
                    max_baskets_centi: maxBaskets, resolution_time_ns: resolutionTime, note: noteStr)
                return withUnsafePointer(to: &c) { body($0) }
            }
        }
    }
}
