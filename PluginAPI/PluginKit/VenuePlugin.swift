import CArbPluginAPI

/// A venue adapter. Sans-IO: it builds requests and parses responses; the host owns every
/// socket, so rate limits, circuit breakers, metrics and the replay tape live in the host.
///
/// All methods but ``fee(_:)``, ``rules`` and ``venueID`` run on the engine thread, one at a
/// time. Methods a venue does not offer keep their default, which throws `unsupported`.
public protocol VenuePlugin: AnyObject, SendableMetatype {
    init(host: HostServices, config: borrowing ConfigReader) throws

    /// The venue id markets carry ("kalshi"). Constant for the instance's life.
    var venueID: String { get }
    var rules: VenueRules { get }

    /// The fee for one order with the venue's rounding. Pure; any thread.
    func fee(_ query: FeeQuery) throws -> FeeResult

    func startDiscovery(_ sink: VenueSink) throws
    func requestBook(marketID: String, _ sink: VenueSink) throws
    /// Parses the response to a request this plugin built (matched by ``HTTPRequest/tag``).
    func handle(_ response: HTTPResponse, _ sink: VenueSink) throws
    func openStream(marketIDs: [String], _ sink: VenueSink) throws
    func handleStreamFrame(_ frame: [UInt8], receivedAt: Nanoseconds, _ sink: VenueSink) throws
    /// The same frame, borrowed from the host for the call: what the host calls. The default
    /// copies it into an array for the method above; a plugin that parses bytes in place
    /// implements this one instead and saves a copy per frame.
    func handleStreamFrame(_ frame: UnsafeBufferPointer<UInt8>, receivedAt: Nanoseconds, _ sink: VenueSink) throws
    func place(_ order: OrderIntent, _ sink: VenueSink) throws
    func cancel(marketID: String, venueOrderID: String, _ sink: VenueSink) throws
    func queryOrder(clientOrderID: String, venueOrderID: String, _ sink: VenueSink) throws
    func requestAccount(_ sink: VenueSink) throws
    func timer(now: Nanoseconds, _ sink: VenueSink) throws
    /// The request emitted with `tag` waited long in the host's rate governor: emit it again,
    /// same tag, freshly signed (ABI 1.3). Emitting nothing has it sent as it is (the default).
    func refreshRequest(tag: UInt64, _ sink: VenueSink) throws
}

extension VenuePlugin {
    public var rules: VenueRules { VenueRules() }
    public func requestBook(marketID: String, _ sink: VenueSink) throws { throw unsupported("requestBook") }
    public func openStream(marketIDs: [String], _ sink: VenueSink) throws { throw unsupported("openStream") }
    public func handleStreamFrame(_ frame: [UInt8], receivedAt: Nanoseconds, _ sink: VenueSink) throws {
        throw unsupported("handleStreamFrame")
    }
    public func handleStreamFrame(_ frame: UnsafeBufferPointer<UInt8>, receivedAt: Nanoseconds, _ sink: VenueSink)
        throws
    {
        try handleStreamFrame(Array(frame), receivedAt: receivedAt, sink)
    }
    public func place(_ order: OrderIntent, _ sink: VenueSink) throws { throw unsupported("place") }
    public func cancel(marketID: String, venueOrderID: String, _ sink: VenueSink) throws {
        throw unsupported("cancel")
    }
    public func queryOrder(clientOrderID: String, venueOrderID: String, _ sink: VenueSink) throws {
        throw unsupported("queryOrder")
    }
    public func requestAccount(_ sink: VenueSink) throws { throw unsupported("requestAccount") }
    public func timer(now: Nanoseconds, _ sink: VenueSink) throws {}
    public func refreshRequest(tag: UInt64, _ sink: VenueSink) throws {}

    private func unsupported(_ what: String) -> PluginError {
        PluginError(.unsupported, "\(venueID) does not support \(what)")
    }
}

/// Venue-wide trading rules.
public struct VenueRules: Sendable, Equatable {
    public var buyOnly: Bool
    public var minimumOrder: CentiContracts
    public var quantityStep: CentiContracts
    public var maxOpenOrders: Int64

    public init(
        buyOnly: Bool = false, minimumOrder: CentiContracts = 100, quantityStep: CentiContracts = 100,
        maxOpenOrders: Int64 = 0
    ) {
        self.buyOnly = buyOnly
        self.minimumOrder = minimumOrder
        self.quantityStep = quantityStep
        self.maxOpenOrders = maxOpenOrders
    }
}

/// A fee question, copied out of the host's query.
public struct FeeQuery: Sendable, Equatable {
    public var liquidity: Liquidity
    public var venue: String
    public var marketID: String
    public var side: Side
    public var action: Action
    public var price: MicroDollars
    public var quantity: CentiContracts
    public var feeMultiplier: PartsPerMillion
    public var feeSchedule: FeeSchedule

    public init(
        liquidity: Liquidity = .taker, venue: String = "", marketID: String = "", side: Side = .yes,
        action: Action = .buy, price: MicroDollars, quantity: CentiContracts,
        feeMultiplier: PartsPerMillion = FixedPoint.ppm, feeSchedule: FeeSchedule = .quadratic
    ) {
        self.liquidity = liquidity
        self.venue = venue
        self.marketID = marketID
        self.side = side
        self.action = action
        self.price = price
        self.quantity = quantity
        self.feeMultiplier = feeMultiplier
        self.feeSchedule = feeSchedule
    }
}

/// A market as a venue reports it.
public struct MarketInfo: Sendable, Equatable {
    public var marketID: String
    public var eventID: String
    public var title: String
    public var isActive: Bool
    public var isBuyOnly: Bool
    public var isMultivariate: Bool
    public var closeTime: Nanoseconds
    public var resolutionTime: Nanoseconds
    public var tick: MicroDollars
    public var minimumOrder: CentiContracts
    public var feeSchedule: FeeSchedule
    public var feeMultiplier: PartsPerMillion
    public var yesToken: String
    public var noToken: String
    /// What a YES bid and a NO bid must sum to for them to trade (ABI 1.3): $1 on Kalshi,
    /// $1.01 on ForecastEx (its cent per matched pair). The host derives bids-only asks from it.
    public var pairPrice: MicroDollars

    public init(
        marketID: String, eventID: String = "", title: String = "", isActive: Bool = true, isBuyOnly: Bool = false,
        isMultivariate: Bool = false, closeTime: Nanoseconds = 0, resolutionTime: Nanoseconds = 0,
        tick: MicroDollars = 10_000, minimumOrder: CentiContracts = 100, feeSchedule: FeeSchedule = .none,
        feeMultiplier: PartsPerMillion = FixedPoint.ppm, yesToken: String = "", noToken: String = "",
        pairPrice: MicroDollars = FixedPoint.micros
    ) {
        self.pairPrice = pairPrice
        self.marketID = marketID
        self.eventID = eventID
        self.title = title
        self.isActive = isActive
        self.isBuyOnly = isBuyOnly
        self.isMultivariate = isMultivariate
        self.closeTime = closeTime
        self.resolutionTime = resolutionTime
        self.tick = tick
        self.minimumOrder = minimumOrder
        self.feeSchedule = feeSchedule
        self.feeMultiplier = feeMultiplier
        self.yesToken = yesToken
        self.noToken = noToken
    }
}

/// A book snapshot or delta as the venue states it (deltas carry the new size; 0 removes).
public struct BookUpdate: Sendable, Equatable {
    public enum Kind: UInt32, Sendable { case snapshot = 0, delta = 1 }
    public var kind: Kind
    public var marketID: String
    public var yesBids: [Level] = []
    public var yesAsks: [Level] = []
    public var noBids: [Level] = []
    public var noAsks: [Level] = []
    public var venueTime: Nanoseconds = 0
    public var receiveTime: Nanoseconds = 0
    public var venueSequence: UInt64 = 0
    public var streamID: UInt64 = 0

    public init(kind: Kind, marketID: String) {
        self.kind = kind
        self.marketID = marketID
    }
}

public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request for the host to perform.
public struct HTTPRequest: Sendable, Equatable {
    public enum Method: UInt32, Sendable {
        case get = 0, post, put, delete, patch

        /// The method as it goes on the wire ("GET").
        public var name: String {
            switch self {
            case .get: "GET"
            case .post: "POST"
            case .put: "PUT"
            case .delete: "DELETE"
            case .patch: "PATCH"
            }
        }
    }
    public var method: Method
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// The venue's rate-limit bucket and this request's cost in it.
    public var rateBucket: String
    public var rateCost: Int64
    /// The plugin's own tag, handed back with the response.
    public var tag: UInt64
    public var isIdempotent: Bool

    public init(
        method: Method = .get, url: String, headers: [HTTPHeader] = [], body: [UInt8] = [], rateBucket: String = "read",
        rateCost: Int64 = 1, tag: UInt64 = 0, isIdempotent: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.rateBucket = rateBucket
        self.rateCost = rateCost
        self.tag = tag
        self.isIdempotent = isIdempotent
    }
}

/// The host's answer to a request (copied out of the host's buffers).
public struct HTTPResponse: Sendable, Equatable {
    /// HTTP status; 0 when the transport failed.
    public var status: Int32
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    public var receiveTime: Nanoseconds
    public var tag: UInt64

    public init(status: Int32, headers: [HTTPHeader] = [], body: [UInt8], receiveTime: Nanoseconds = 0, tag: UInt64) {
        self.status = status
        self.headers = headers
        self.body = body
        self.receiveTime = receiveTime
        self.tag = tag
    }

    /// The first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

public enum TimeInForce: UInt32, Sendable { case goodTillCanceled = 0, immediateOrCancel, fillOrKill, goodTillDate }

/// An order the host wants placed; `clientOrderID` is stable across retries.
public struct OrderIntent: Sendable, Equatable {
    public var side: Side
    public var action: Action
    public var timeInForce: TimeInForce
    public var marketID: String
    public var clientOrderID: String
    public var limitPrice: MicroDollars
    public var quantity: CentiContracts
    public var expires: Nanoseconds
}

/// Order states the host understands (`ARB_ORDER_*`).
public enum OrderState: UInt32, Sendable {
    case pending = 0, resting, partiallyFilled, filled, canceled, rejected, expired
    /// No definitive answer: the host queries, never assumes.
    case unknown
}

public struct OrderReport: Sendable, Equatable {
    public var state: OrderState
    public var marketID: String
    public var clientOrderID: String
    public var venueOrderID: String
    public var filled: CentiContracts
    public var remaining: CentiContracts
    /// -1 when nothing filled.
    public var averagePrice: MicroDollars
    public var fees: MicroDollars
    public var venueTime: Nanoseconds
    public var reason: String

    public init(
        state: OrderState, marketID: String, clientOrderID: String, venueOrderID: String, filled: CentiContracts,
        remaining: CentiContracts, averagePrice: MicroDollars = -1, fees: MicroDollars = 0,
        venueTime: Nanoseconds = 0, reason: String = ""
    ) {
        self.state = state
        self.marketID = marketID
        self.clientOrderID = clientOrderID
        self.venueOrderID = venueOrderID
        self.filled = filled
        self.remaining = remaining
        self.averagePrice = averagePrice
        self.fees = fees
        self.venueTime = venueTime
        self.reason = reason
    }
}

public struct Fill: Sendable, Equatable {
    public var side: Side
    public var action: Action
    public var liquidity: Liquidity
    public var marketID: String
    public var venueOrderID: String
    /// The venue's trade id; the host dedupes on it.
    public var fillID: String
    public var price: MicroDollars
    public var quantity: CentiContracts
    public var fee: MicroDollars
    public var venueTime: Nanoseconds

    public init(
        side: Side, action: Action, liquidity: Liquidity, marketID: String, venueOrderID: String, fillID: String,
        price: MicroDollars, quantity: CentiContracts, fee: MicroDollars, venueTime: Nanoseconds
    ) {
        self.side = side
        self.action = action
        self.liquidity = liquidity
        self.marketID = marketID
        self.venueOrderID = venueOrderID
        self.fillID = fillID
        self.price = price
        self.quantity = quantity
        self.fee = fee
        self.venueTime = venueTime
    }
}
