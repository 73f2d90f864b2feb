import Foundation
import PluginKit

/// The quotes file of `arb scan`: one JSON object per line, one market each.
///
/// ```json
/// {"venue":"kalshi","market":"KXFED-26DEC-T4.00","title":"Fed above 4.00%",
///  "close_time":"2026-12-31T00:00:00Z","tick":"0.01","fee_schedule":"quadratic","fee_multiplier":"1",
///  "yes_bid":"0.41","yes_bid_size":"120","no_bid":"0.57","no_bid_size":"80",
///  "yes_asks":[["0.43","80"],["0.44","200"]],"no_asks":[["0.59","120"]]}
/// ```
///
/// Prices are decimal dollars, sizes decimal contracts, as strings so nothing passes through a
/// float. `venue` and `market` are required; everything else is optional. Give the ask side
/// either as a ladder (`yes_asks`, best first) or as `yes_ask` + `yes_ask_size`; without asks the
/// engine derives them from the other side's bids, as on Kalshi. `fee_schedule` is one of
/// `none`, `quadratic`, `quadratic_with_maker`, `flat`, `shares` (default `quadratic`); fees
/// themselves always come from the venue's plugin.
public struct QuoteSnapshot: Sendable {
    public var market: MarketRecord
    public var book: BookUpdate

    public struct Malformed: Error, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var field: String
        public var reason: String
        public var description: String { "\(file):\(line): \(field.isEmpty ? "" : "\(field): ")\(reason)" }
    }

    public static func load(path: String) throws -> [QuoteSnapshot] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Malformed(file: path, line: 0, field: "", reason: "cannot read the file")
        }
        var quotes: [QuoteSnapshot] = []
        var seen: [String: Int] = [:]
        for (i, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 }
            guard !trimmed.isEmpty, trimmed.first != UInt8(ascii: "#") else { continue }
            let q = try parse(Data(line), file: path, line: i + 1)
            let key = "\(q.market.venue):\(q.market.marketID)"
            if let first = seen[key] {
                throw Malformed(
                    file: path, line: i + 1, field: "market", reason: "\(key) is already quoted on line \(first)")
            }
            seen[key] = i + 1
            quotes.append(q)
        }
        return quotes
    }

    static func parse(_ data: Data, file: String, line: Int) throws -> QuoteSnapshot {
        func fail(_ field: String, _ reason: String) -> Malformed {
            Malformed(file: file, line: line, field: field, reason: reason)
        }
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("", "not a JSON object")
        }
        let known: Set<String> = [
            "venue", "market", "title", "event", "close_time", "tick", "fee_schedule", "fee_multiplier", "yes_bid",
            "yes_bid_size", "no_bid", "no_bid_size", "yes_ask", "yes_ask_size", "no_ask", "no_ask_size", "yes_asks",
            "no_asks", "pair_price",
        ]
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(unknown, "unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
        func text(_ key: String) throws -> String? {
            guard let v = o[key] else { return nil }
            guard let s = v as? String else { throw fail(key, "must be a string (decimals are strings: \"0.43\")") }
            return s
        }
        func decimal(_ key: String, scale: Int64) throws -> Int64? {
            guard let s = try text(key) else { return nil }
            guard let v = FixedPoint.parse(s, scale: scale) else { throw fail(key, "\"\(s)\" is not a decimal") }
            return v
        }
        func price(_ key: String) throws -> MicroDollars? {
            guard let p = try decimal(key, scale: FixedPoint.micros) else { return nil }
            guard p > 0, p < FixedPoint.micros else { throw fail(key, "a price is between 0 and 1 exclusive") }
            return p
        }
        func level(_ priceKey: String, _ sizeKey: String) throws -> [Level] {
            guard let p = try price(priceKey) else { return [] }
            guard let s = try decimal(sizeKey, scale: FixedPoint.centi), s > 0 else {
                throw fail(sizeKey, "required with \(priceKey), a positive number of contracts")
            }
            return [Level(price: p, size: s)]
        }
        func ladder(_ key: String) throws -> [Level]? {
            guard let v = o[key] else { return nil }
            guard let rows = v as? [[String]] else { throw fail(key, "must be [[\"price\", \"size\"], …]") }
            return try rows.enumerated().map { j, row in
                guard row.count == 2, let p = FixedPoint.parse(row[0], scale: FixedPoint.micros),
                    let s = FixedPoint.parse(row[1], scale: FixedPoint.centi), p > 0, p < FixedPoint.micros, s > 0
                else { throw fail("\(key)[\(j)]", "is not [price in (0,1), size > 0]") }
                return Level(price: p, size: s)
            }
        }
        guard let venue = try text("venue"), !venue.isEmpty else { throw fail("venue", "required") }
        guard let id = try text("market"), !id.isEmpty else { throw fail("market", "required") }
        var market = MarketRecord(venue: venue, marketID: id, title: try text("title") ?? id)
        market.eventID = try text("event") ?? ""
        if let close = try text("close_time") {
            guard let date = ISO8601DateFormatter().date(from: close) else {
                throw fail("close_time", "\"\(close)\" is not an RFC 3339 time such as 2026-12-31T00:00:00Z")
            }
            market.closeTime = Int64(date.timeIntervalSince1970) * 1_000_000_000
        }
        market.tick = try decimal("tick", scale: FixedPoint.micros) ?? market.tick
        if let pair = try decimal("pair_price", scale: FixedPoint.micros) {
            guard pair >= FixedPoint.micros, pair <= FixedPoint.micros * 11 / 10 else {
                throw fail("pair_price", "is between 1 and 1.10 (ForecastEx: \"1.01\")")
            }
            market.pairPrice = pair
        }
        market.feeMultiplier = try decimal("fee_multiplier", scale: FixedPoint.ppm) ?? market.feeMultiplier
        if let schedule = try text("fee_schedule") {
            let names: [String: FeeSchedule] = [
                "none": .none, "quadratic": .quadratic, "quadratic_with_maker": .quadraticWithMaker,
                "flat": .flat, "shares": .shares,
            ]
            guard let s = names[schedule] else { throw fail("fee_schedule", "one of \(names.keys.sorted())") }
            market.feeSchedule = s
        }
        var book = BookUpdate(kind: .snapshot, marketID: id)
        book.yesBids = try level("yes_bid", "yes_bid_size")
        book.noBids = try level("no_bid", "no_bid_size")
        book.yesAsks = try ladder("yes_asks") ?? level("yes_ask", "yes_ask_size")
        book.noAsks = try ladder("no_asks") ?? level("no_ask", "no_ask_size")
        return QuoteSnapshot(market: market, book: book)
    }
}
