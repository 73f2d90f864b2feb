import PluginKit
import VenueSupport

/// The hot paths read straight from the bytes: a REST `/book` answer and the market channel's
/// `book` and `price_change` events (one object, or an array of them as in an initial dump).
///
/// It walks each object key by key, in any order, skipping other keys of plain values
/// (`hash`, `tick_size`, `min_order_size`, `neg_risk`, `last_trade_price`, a change's
/// `best_bid`/`best_ask`). Anything else returns nil: an escape in a string, a nested value
/// under a key it does not know, a repeated key, another event type, a price it cannot read.
/// The caller then decodes the payload with `JSONDecoder`, which stays the one authority on
/// what a valid payload is; this only makes the common case fast.
enum PolymarketScanner {
    /// A token's book; `asset` is where its token id lies in the payload.
    struct Book {
        var asset: Range<Int>
        var venueTime: Nanoseconds
        var bids: [Level]
        var asks: [Level]
    }

    /// One level's new aggregate size on a token's side (`isBid`: BUY).
    struct Change {
        var asset: Range<Int>
        var level: Level
        var isBid: Bool
    }

    enum Event {
        case book(Book)
        case changes([Change], venueTime: Nanoseconds)
    }

    /// A REST book answer: one object, no `event_type` needed.
    static func restBook(_ b: UnsafeBufferPointer<UInt8>) -> Book? {
        var r = JSONCursor(b)
        guard case .book(let book)? = object(&r, requireType: false), r.isAtEnd() else { return nil }
        return book
    }

    /// A stream frame's events, in order; nil when any of them is not a plain book or change.
    static func frame(_ b: UnsafeBufferPointer<UInt8>) -> [Event]? {
        var r = JSONCursor(b)
        var events: [Event] = []
        if r.peek() == UInt8(ascii: "[") {
            let fine = r.array { r in
                guard let event = object(&r, requireType: true) else { return false }
                events.append(event)
                return true
            }
            guard fine else { return nil }
        } else {
            guard let event = object(&r, requireType: true) else { return nil }
            events.append(event)
        }
        return r.isAtEnd() ? events : nil
    }

    private static func object(_ r: inout JSONCursor, requireType: Bool) -> Event? {
        var type: Range<Int>?
        var asset: Range<Int>?
        var time: Nanoseconds?
        var bids: [Level]?
        var asks: [Level]?
        var changes: [Change]?
        let fine = r.object { key, r in
            switch key {
            case "event_type": return readOnce(&type) { r.string() }
            case "asset_id": return readOnce(&asset) { r.string() }
            case "timestamp": return readOnce(&time) { r.string().flatMap { PolymarketBook.milliseconds(r.slice($0)) } }
            case "bids": return readOnce(&bids) { levels(&r) }
            case "asks": return readOnce(&asks) { levels(&r) }
            case "price_changes": return readOnce(&changes) { priceChanges(&r) }
            default: return r.skipPlain()
            }
        }
        guard fine else { return nil }
        let isChange = type.map { r.bytes($0, equal: "price_change") } ?? false
        let isBook = type.map { r.bytes($0, equal: "book") } ?? !requireType
        if isChange, let changes, bids == nil, asks == nil { return .changes(changes, venueTime: time ?? 0) }
        guard isBook, let asset, changes == nil else { return nil }
        return .book(Book(asset: asset, venueTime: time ?? 0, bids: bids ?? [], asks: asks ?? []))
    }

    /// `[{"price": "0.48", "size": "30"}, …]`, keys in either order.
    private static func levels(_ r: inout JSONCursor) -> [Level]? {
        var out: [Level] = []
        out.reserveCapacity(64)
        let fine = r.array { r in
            guard let level = level(&r) else { return false }
            out.append(level)
            return true
        }
        return fine ? out : nil
    }

    /// One level. The CLOB writes `{"price":"…","size":"…"}` in that order: read so first,
    /// comparing the keys' bytes; any other spelling is read key by key.
    private static func level(_ r: inout JSONCursor) -> Level? {
        let start = r.i
        if r.take(UInt8(ascii: "{")), let k1 = r.string(), r.bytes(k1, equal: "price"), r.take(UInt8(ascii: ":")),
            let p = r.string(), let price = PolymarketBook.price(r.slice(p)), r.take(UInt8(ascii: ",")),
            let k2 = r.string(), r.bytes(k2, equal: "size"), r.take(UInt8(ascii: ":")), let s = r.string(),
            let size = PolymarketBook.shares(r.slice(s)), r.take(UInt8(ascii: "}"))
        {
            return Level(price: price, size: size)
        }
        r.i = start
        var price: MicroDollars?
        var size: CentiContracts?
        let fine = r.object { key, r in
            switch key {
            case "price": return readOnce(&price) { r.string().flatMap { PolymarketBook.price(r.slice($0)) } }
            case "size": return readOnce(&size) { r.string().flatMap { PolymarketBook.shares(r.slice($0)) } }
            default: return false
            }
        }
        guard fine, let price, let size else { return nil }
        return Level(price: price, size: size)
    }

    /// `[{"asset_id", "price", "size", "side": "BUY"|"SELL", "hash", "best_bid", "best_ask"}, …]`.
    private static func priceChanges(_ r: inout JSONCursor) -> [Change]? {
        var out: [Change] = []
        let fine = r.array { r in
            var asset: Range<Int>?
            var price: MicroDollars?
            var size: CentiContracts?
            var isBid: Bool?
            let fine = r.object { key, r in
                switch key {
                case "asset_id": return readOnce(&asset) { r.string() }
                case "price": return readOnce(&price) { r.string().flatMap { PolymarketBook.price(r.slice($0)) } }
                case "size": return readOnce(&size) { r.string().flatMap { PolymarketBook.shares(r.slice($0)) } }
                case "side":
                    return readOnce(&isBid) {
                        r.string().flatMap {
                            r.bytes($0, equal: "BUY") ? true : r.bytes($0, equal: "SELL") ? false : nil
                        }
                    }
                default: return r.skipPlain()
                }
            }
            guard fine, let asset, let price, let size, let isBid else { return false }
            out.append(Change(asset: asset, level: Level(price: price, size: size), isBid: isBid))
            return true
        }
        return fine ? out : nil
    }
}
