import FoundationEssentials
import PluginKit

/// A simulated venue for the demo and the host's own tests. It is sans-IO like every venue
/// plugin: it builds requests and parses responses of the small `arb-sim/1` JSON protocol
/// (see README.md in this folder) that the host's built-in scenario exchange speaks.
///
/// The book is Kalshi-shaped on purpose: bids only, ascending, best last, prices and sizes as
/// decimal strings; the host derives asks from the opposite side's bids. The fee is Kalshi's
/// quadratic taker fee, rounded up to the cent: ceil(k * C * P * (1 - P)).
public final class SimVenue: VenuePlugin {
    enum Tag: UInt64 {
        case markets = 1
        case book = 2
    }

    let host: HostServices
    public let venueID: String
    let baseURL: String
    let feeCoefficient: PartsPerMillion
    /// What a YES and a NO bid sum to when they trade: 1 (Kalshi-like) or 1.01 (ForecastEx-like).
    let pairPrice: MicroDollars
    /// Last stream sequence per market, for gap detection. Unchecked: the host never calls a
    /// plugin instance from two threads at once (the ABI's rule), and the dynamic exclusivity
    /// check of a class's property cost 117 instructions a frame (callgrind).
    @exclusivity(unchecked) private var lastSequence = SimSequenceTable()
    /// One decoder for every payload: making one costs more than a small decode.
    private let decoder = JSONDecoder()

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        try config.rejectUnknownKeys(allowed: ["venue_id", "base_url", "fee_coefficient", "pair_price"])
        venueID = try config.string("venue_id") ?? "sim"
        baseURL = try config.string("base_url") ?? "sim://local"
        feeCoefficient = try config.fixed("fee_coefficient", scale: FixedPoint.ppm) ?? 70_000
        pairPrice = try config.fixed("pair_price", scale: FixedPoint.micros) ?? FixedPoint.micros
        guard (FixedPoint.micros...FixedPoint.micros * 11 / 10).contains(pairPrice) else {
            throw PluginError.config("pair_price must be between 1 and 1.10 (ForecastEx pairs at 1.01)")
        }
        guard !venueID.isEmpty else { throw PluginError.config("venue_id must not be empty") }
        guard (0...FixedPoint.ppm).contains(feeCoefficient) else {
            throw PluginError.config("fee_coefficient must be between 0 and 1")
        }
    }

    public var rules: VenueRules { VenueRules(minimumOrder: 100, quantityStep: 100) }

    public func fee(_ query: FeeQuery) throws -> FeeResult {
        guard (0...FixedPoint.micros).contains(query.price), query.quantity >= 0 else {
            throw PluginError(.invalidArgument, "price \(query.price) or quantity \(query.quantity) out of range")
        }
        return FeeResult(
            fee: Self.quadraticFee(coefficient: feeCoefficient, price: query.price, quantity: query.quantity),
            delivered: query.quantity)
    }

    /// ceil(k * C * P * (1 - P)) to the cent, in micro-dollars, computed exactly in 128 bits.
    static func quadraticFee(coefficient: PartsPerMillion, price: MicroDollars, quantity: CentiContracts)
        -> MicroDollars
    {
        // k_ppm * C_centi * P_micros * (1 - P)_micros is in units of 1e-20 dollars; a cent is 1e18 of them.
        let numerator = Int128(coefficient) * Int128(quantity) * Int128(price) * Int128(FixedPoint.micros - price)
        let cent = Int128(1_000_000_000_000_000_000)
        let cents = (numerator + cent - 1) / cent
        return MicroDollars(cents) * 10_000
    }

    public func startDiscovery(_ sink: VenueSink) throws {
        try sink.request(HTTPRequest(url: "\(baseURL)/markets", tag: Tag.markets.rawValue))
    }

    public func requestBook(marketID: String, _ sink: VenueSink) throws {
        try sink.request(HTTPRequest(url: "\(baseURL)/markets/\(marketID)/book", tag: Tag.book.rawValue))
    }

    public func handle(_ response: HTTPResponse, _ sink: VenueSink) throws {
        guard response.status == 200 else {
            throw PluginError(
                response.status == 429 ? .rateLimited : .venue,
                "HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        switch Tag(rawValue: response.tag) {
        case .markets:
            let page = try SimPageScanner.scan(response.body) ?? decode(MarketsPage.self, response.body)
            for m in page.markets {
                try sink.market(
                    MarketInfo(
                        marketID: m.id, eventID: m.event ?? "", title: m.title ?? m.id, closeTime: m.close_time_ns ?? 0,
                        resolutionTime: m.close_time_ns ?? 0, tick: try price(m.tick ?? "0.01"),
                        feeSchedule: .quadratic, pairPrice: pairPrice))
            }
            if let cursor = page.next_cursor, !cursor.isEmpty {
                try sink.request(HTTPRequest(url: "\(baseURL)/markets?cursor=\(cursor)", tag: Tag.markets.rawValue))
            }
        case .book:
            var update = try snapshot(response.body)
            update.receiveTime = response.receiveTime
            lastSequence.set(update.marketID, to: update.venueSequence)
            try sink.book(update)
        case nil:
            throw PluginError(.invalidArgument, "response with unknown tag \(response.tag)")
        }
    }

    /// A book answer as the snapshot it is, bids best first (the wire has them ascending).
    private func snapshot(_ body: [UInt8]) throws -> BookUpdate {
        let scanned = try body.withUnsafeBufferPointer { b -> BookUpdate? in
            guard let found = SimBookScanner.scan(b) else { return nil }
            func levels(_ pairs: [SimBookScanner.Found.Pair]) throws -> [Level] {
                try pairs.reversed().map {
                    try level(
                        price: UnsafeBufferPointer(rebasing: b[$0.price]),
                        size: UnsafeBufferPointer(rebasing: b[$0.size]))
                }
            }
            var update = BookUpdate(kind: .snapshot, marketID: found.market)
            update.yesBids = try levels(found.yesBids)
            update.noBids = try levels(found.noBids)
            update.venueSequence = found.seq
            return update
        }
        if let scanned { return scanned }
        let book = try decode(BookPayload.self, body)
        var update = BookUpdate(kind: .snapshot, marketID: book.market)
        update.yesBids = try book.yes_bids.reversed().map(level)
        update.noBids = try book.no_bids.reversed().map(level)
        update.venueSequence = book.seq
        return update
    }

    public func openStream(marketIDs: [String], _ sink: VenueSink) throws {
        try sink.openStream(url: "\(baseURL)/stream", headers: [])
        let list = marketIDs.map { "\"\($0)\"" }.joined(separator: ",")
        try sink.send(frame: "{\"op\":\"subscribe\",\"markets\":[\(list)]}")
    }

    public func handleStreamFrame(_ frame: [UInt8], receivedAt: Nanoseconds, _ sink: VenueSink) throws {
        try frame.withUnsafeBufferPointer { try handleStreamFrame($0, receivedAt: receivedAt, sink) }
    }

    /// The frame read in place, where the host holds it.
    public func handleStreamFrame(_ frame: UnsafeBufferPointer<UInt8>, receivedAt: Nanoseconds, _ sink: VenueSink)
        throws
    {
        // The byte scanner reads the exchange's own frames; anything else goes to the decoder.
        if let found = SimDeltaScanner.scan(frame) {
            let changed = try level(
                price: UnsafeBufferPointer(rebasing: frame[found.price]),
                size: UnsafeBufferPointer(rebasing: frame[found.size]))
            try apply(
                changed, side: found.isYes ? .yes : .no, market: UnsafeBufferPointer(rebasing: frame[found.market]),
                sequence: found.seq, receivedAt: receivedAt, sink)
        } else {
            let delta = try decode(DeltaFrame.self, Array(frame))
            guard delta.type == "delta" else { return }
            let changed = try level(price: delta.price, size: delta.size)
            var market = delta.market
            try market.withUTF8 {
                try apply(
                    changed, side: delta.side == "yes" ? .yes : .no, market: $0, sequence: delta.seq,
                    receivedAt: receivedAt, sink)
            }
        }
    }

    /// A delta's level, reported unless its sequence says it is already in the book or a gap.
    private func apply(
        _ changed: Level, side: Side, market: UnsafeBufferPointer<UInt8>, sequence: UInt64,
        receivedAt: Nanoseconds, _ sink: VenueSink
    ) throws {
        let (step, entry) = lastSequence.advance(market, to: sequence)
        switch step {
        case .applied: return
        case .gap(let last):
            try sink.gap(
                marketID: String(decoding: market, as: UTF8.self), reason: "sequence \(sequence) after \(last)")
        case .next:
            let handle = lastSequence.hostMarket(ofEntry: entry) { sink.marketHandle(market) }
            try sink.bidChanged(
                marketID: market, side: side, level: changed, sequence: sequence, receiveTime: receivedAt,
                hostMarket: handle)
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw PluginError(.parse, "\(venueID): malformed \(type) payload: \(error)")
        }
    }

    private func price(_ text: String) throws -> MicroDollars {
        var text = text
        return try text.withUTF8(price)
    }

    private func price(_ bytes: UnsafeBufferPointer<UInt8>) throws -> MicroDollars {
        guard let value = FixedPoint.parse(utf8: bytes, scale: FixedPoint.micros),
            (0...FixedPoint.micros).contains(value)
        else {
            throw PluginError(
                .parse, "price \"\(String(decoding: bytes, as: UTF8.self))\" is not a decimal between 0 and 1")
        }
        return value
    }

    private func level(_ pair: [String]) throws -> Level {
        guard pair.count == 2 else { throw PluginError(.parse, "level \(pair) is not [price, size]") }
        return try level(price: pair[0], size: pair[1])
    }

    /// A level from its two decimal strings (a stream delta's, without building a pair array).
    private func level(price text: String, size sizeText: String) throws -> Level {
        var (text, sizeText) = (text, sizeText)
        return try text.withUTF8 { p in try sizeText.withUTF8 { s in try level(price: p, size: s) } }
    }

    /// A level from its two decimals' bytes, where the byte scanner found them.
    private func level(price: UnsafeBufferPointer<UInt8>, size sizeBytes: UnsafeBufferPointer<UInt8>) throws -> Level {
        guard let size = FixedPoint.parse(utf8: sizeBytes, scale: FixedPoint.centi), size >= 0 else {
            let text = [price, sizeBytes].map { String(decoding: $0, as: UTF8.self) }
            throw PluginError(.parse, "level [\(text[0]), \(text[1])] is not [price, size]")
        }
        return Level(price: try self.price(price), size: size)
    }
}

// Wire shapes of arb-sim/1 (snake_case as on the wire).
struct MarketsPage: Decodable {
    struct Market: Decodable {
        var id: String
        var event: String?
        var title: String?
        var close_time_ns: Int64?
        var tick: String?
    }
    var markets: [Market]
    var next_cursor: String?
}

struct BookPayload: Decodable {
    var market: String
    var seq: UInt64
    var yes_bids: [[String]]
    var no_bids: [[String]]
}

struct DeltaFrame: Decodable {
    var type: String
    var market: String
    var seq: UInt64
    var side: String
    var price: String
    var size: String
}
