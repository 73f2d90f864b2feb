import CArbPluginAPI

/// Which contract of a binary market.
public enum Side: UInt32, Sendable, Hashable {
    case yes = 0
    case no = 1

    /// The other contract.
    public var opposite: Side { self == .yes ? .no : .yes }
}

public enum Action: UInt32, Sendable, Hashable {
    case buy = 0
    case sell = 1
}

public enum Liquidity: UInt32, Sendable, Hashable {
    case taker = 0
    case maker = 1
}

/// How a venue charges fees on a market (`ARB_FEE_*`).
public struct FeeSchedule: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let none = FeeSchedule(rawValue: UInt32(ARB_FEE_NONE))
    public static let quadratic = FeeSchedule(rawValue: UInt32(ARB_FEE_QUADRATIC))
    public static let quadraticWithMaker = FeeSchedule(rawValue: UInt32(ARB_FEE_QUADRATIC_WITH_MAKER))
    public static let quadraticComboMaker = FeeSchedule(rawValue: UInt32(ARB_FEE_QUADRATIC_COMBO_MAKER))
    public static let flat = FeeSchedule(rawValue: UInt32(ARB_FEE_FLAT))
    public static let shares = FeeSchedule(rawValue: UInt32(ARB_FEE_SHARES))
}

/// One price level.
public struct Level: Sendable, Hashable {
    public var price: MicroDollars
    public var size: CentiContracts

    public init(price: MicroDollars, size: CentiContracts) {
        self.price = price
        self.size = size
    }
}

/// A borrowed view of a market the host passed in. Valid only during the call that received it.
public struct Market {
    let pointer: UnsafePointer<arb_market>

    init(_ pointer: UnsafePointer<arb_market>) { self.pointer = pointer }

    public var venue: String { pointer.pointee.venue.string }
    public var marketID: String { pointer.pointee.market_id.string }
    public var eventID: String { pointer.pointee.event_id.string }
    public var title: String { pointer.pointee.title.string }
    public var closeTime: Nanoseconds { pointer.pointee.close_time_ns }
    public var resolutionTime: Nanoseconds { pointer.pointee.resolution_time_ns }
    public var tick: MicroDollars { pointer.pointee.tick_micros }
    public var minimumOrder: CentiContracts { pointer.pointee.min_order_centi }
    public var feeSchedule: FeeSchedule { FeeSchedule(rawValue: pointer.pointee.fee_schedule) }
    public var feeMultiplier: PartsPerMillion { pointer.pointee.fee_multiplier_ppm }
    public var isActive: Bool { pointer.pointee.flags & UInt32(ARB_MARKET_ACTIVE) != 0 }
    public var isBuyOnly: Bool { pointer.pointee.flags & UInt32(ARB_MARKET_BUY_ONLY) != 0 }
    public var isMultivariate: Bool { pointer.pointee.flags & UInt32(ARB_MARKET_MULTIVARIATE) != 0 }
    /// What a YES and a NO bid sum to when they trade ($1; ForecastEx $1.01). A 1.2 host's
    /// market ends before the field: then $1.
    public var pairPrice: MicroDollars {
        let end = MemoryLayout<arb_market>.offset(of: \.pair_price_micros)! + MemoryLayout<Int64>.size
        guard Int(pointer.pointee.struct_size) >= end, pointer.pointee.pair_price_micros > 0 else {
            return FixedPoint.micros
        }
        return pointer.pointee.pair_price_micros
    }

    /// True when both views name the same venue (compared without allocating).
    public func isSameVenue(as other: Market) -> Bool { pointer.pointee.venue.equals(other.pointer.pointee.venue) }
}

/// A borrowed view of a normalized quote. A missing side is `nil`, never price 0 or 1.
public struct Quote {
    let pointer: UnsafePointer<arb_quote>

    init(_ pointer: UnsafePointer<arb_quote>) { self.pointer = pointer }

    /// Best bid for `side`, or nil when the book has none.
    public func bestBid(_ side: Side) -> Level? {
        let q = pointer.pointee
        return side == .yes ? level(q.yes_bid_micros, q.yes_bid_centi) : level(q.no_bid_micros, q.no_bid_centi)
    }

    /// Best ask for `side`, or nil when the book has none.
    public func bestAsk(_ side: Side) -> Level? {
        let q = pointer.pointee
        return side == .yes ? level(q.yes_ask_micros, q.yes_ask_centi) : level(q.no_ask_micros, q.no_ask_centi)
    }

    /// The ask ladder for `side`, best first. Falls back to the best ask when the venue gives no depth.
    public func asks(_ side: Side) -> AskLadder {
        let q = pointer.pointee
        let (levels, count) = side == .yes ? (q.yes_asks, q.yes_ask_count) : (q.no_asks, q.no_ask_count)
        if let levels, count > 0 {
            return AskLadder(buffer: UnsafeBufferPointer(start: levels, count: Int(count)), top: nil)
        }
        return AskLadder(buffer: UnsafeBufferPointer(start: nil, count: 0), top: bestAsk(side))
    }

    public var venueTime: Nanoseconds { pointer.pointee.venue_time_ns }
    public var receiveTime: Nanoseconds { pointer.pointee.receive_time_ns }
    public var sequence: UInt64 { pointer.pointee.sequence }

    private func level(_ price: Int64, _ size: Int64) -> Level? {
        price < 0 || size <= 0 ? nil : Level(price: price, size: size)
    }
}

/// An ask ladder, best (cheapest) first. Borrowed like the quote it came from.
public struct AskLadder: RandomAccessCollection {
    let buffer: UnsafeBufferPointer<arb_level>
    let top: Level?

    public var startIndex: Int { 0 }
    public var endIndex: Int { buffer.isEmpty ? (top == nil ? 0 : 1) : buffer.count }

    public subscript(position: Int) -> Level {
        if buffer.isEmpty, let top { return top }
        let level = buffer[position]
        return Level(price: level.price_micros, size: level.size_centi)
    }
}
