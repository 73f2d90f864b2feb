import PluginKit

/// A market named across venues: the venue id and the venue's own market id.
public struct MarketKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var venue: String
    public var marketID: String

    public init(venue: String, marketID: String) {
        self.venue = venue
        self.marketID = marketID
    }

    public var description: String { "\(venue):\(marketID)" }

    public static func < (a: MarketKey, b: MarketKey) -> Bool { (a.venue, a.marketID) < (b.venue, b.marketID) }
}

/// A group of related markets as a mapping or rules file declares it: what a lane evaluates.
///
/// Members are normalised to the group's own YES: a member whose YES is the group's NO (a leg
/// given as `side: no`, the right side of a complement, a mapping with inverted polarity) is
/// marked ``Member/isInverted``, so lanes reason about one direction only.
public struct GroupRule: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: MarketKey
        public var isInverted = false
        /// Trees: 0 = parent, 1 = child. Ladders: the rank, 0 = the most specific (it implies all later ones).
        public var role: Int32 = 0
        public var strike: MicroDollars = 0

        public init(key: MarketKey, isInverted: Bool = false, role: Int32 = 0, strike: MicroDollars = 0) {
            self.key = key
            self.isInverted = isInverted
            self.role = role
            self.strike = strike
        }
    }

    public var kind: GroupKind
    public var groupID: String
    public var members: [Member]
    /// Exactly one member resolves YES (buckets), or the children partition the parent (trees).
    public var isExhaustive = false
    /// A person approved it. Unreviewed groups are never traded unless a lane is told to.
    public var isReviewed = true
    /// Both venues' resolution terms were checked equal (cross-venue pairs).
    public var hasSameTerms = false
    /// Members imply one another in rank order (threshold ladders, nested deadlines).
    public var isLadder = false
    /// Where it was declared ("file:line" or "file: key path"), for messages.
    public var source: String

    public init(kind: GroupKind, groupID: String, members: [Member], source: String) {
        self.kind = kind
        self.groupID = groupID
        self.members = members
        self.source = source
    }
}
