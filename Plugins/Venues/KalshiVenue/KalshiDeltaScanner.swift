import PluginKit
import VenueSupport

/// The hot path of the stream: an `orderbook_delta` frame read straight from its bytes.
///
/// `{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"…","price_dollars":"0.960",
/// "delta_fp":"-54.00","side":"yes","ts_ms":1669149841000}}`, keys in any order, other keys of
/// plain values (`market_id`, `client_order_id`, `subaccount`, `ts`, legacy `price`/`delta`)
/// skipped. It walks the two objects key by key, so a key's name inside a string value cannot be
/// taken for a key. Anything else returns nil: an escape in any string, a nested value under a
/// key it does not know, a repeated key, a missing `price_dollars`, `delta_fp`, `side` or ticker,
/// any other frame type. The caller then decodes the frame with `JSONDecoder`, which stays the
/// one authority on what a valid frame is; this only makes the common case fast (decoding the
/// envelope and the message with `JSONDecoder` took 69% of a Kalshi tape's replay, perf).
enum KalshiDeltaScanner {
    struct Delta {
        var sid: UInt64?
        var seq: UInt64?
        /// Where the ticker, the price and the size change lie in the frame (the strings' contents).
        var ticker: Range<Int>
        var price: Range<Int>
        var change: Range<Int>
        var side: Side
        var tsMs: Int64?
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Delta? {
        var reader = JSONCursor(b)
        // A key seen twice refuses the frame: each value is nil until its key is read.
        var type: Range<Int>?
        var sid: UInt64?
        var seq: UInt64?
        var msg: Delta?
        let fine = reader.object { key, r in
            switch key {
            case "type": return readOnce(&type) { r.string() }
            case "sid": return readOnce(&sid) { r.unsigned() }
            case "seq": return readOnce(&seq) { r.unsigned() }
            case "msg": return readOnce(&msg) { message(&r) }
            default: return r.skipPlain()
            }
        }
        guard fine, let type, reader.bytes(type, equal: "orderbook_delta"), var delta = msg else { return nil }
        guard reader.isAtEnd() else { return nil }
        (delta.sid, delta.seq) = (sid, seq)
        return delta
    }

    private static func message(_ r: inout JSONCursor) -> Delta? {
        var ticker: Range<Int>?
        var price: Range<Int>?
        var change: Range<Int>?
        var side: Side?
        var tsMs: UInt64?
        let fine = r.object { key, r in
            switch key {
            case "market_ticker": return readOnce(&ticker) { r.string() }
            case "price_dollars": return readOnce(&price) { r.string() }
            case "delta_fp": return readOnce(&change) { r.string() }
            case "side":
                return readOnce(&side) {
                    r.string().flatMap { r.bytes($0, equal: "yes") ? .yes : r.bytes($0, equal: "no") ? .no : nil }
                }
            case "ts_ms": return readOnce(&tsMs) { r.unsigned() }
            default: return r.skipPlain()
            }
        }
        guard fine, let ticker, let price, let change, let side else { return nil }
        return Delta(
            sid: nil, seq: nil, ticker: ticker, price: price, change: change, side: side, tsMs: tsMs.map { Int64($0) })
    }
}
