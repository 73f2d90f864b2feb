import PluginKit

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
        var reader = Reader(b: b)
        // A key seen twice refuses the frame: each value is nil until its key is read.
        var type: Range<Int>?
        var sid: UInt64?
        var seq: UInt64?
        var msg: Delta?
        let fine = reader.object { key, r in
            switch key {
            case "type": return once(&type) { r.string() }
            case "sid": return once(&sid) { r.unsigned() }
            case "seq": return once(&seq) { r.unsigned() }
            case "msg": return once(&msg) { message(&r) }
            default: return r.skipPlain()
            }
        }
        guard fine, let type, reader.bytes(type, equal: "orderbook_delta"), var delta = msg else { return nil }
        reader.skipSpace()
        guard reader.i == b.count else { return nil }
        (delta.sid, delta.seq) = (sid, seq)
        return delta
    }

    private static func message(_ r: inout Reader) -> Delta? {
        var ticker: Range<Int>?
        var price: Range<Int>?
        var change: Range<Int>?
        var side: Side?
        var tsMs: UInt64?
        let fine = r.object { key, r in
            switch key {
            case "market_ticker": return once(&ticker) { r.string() }
            case "price_dollars": return once(&price) { r.string() }
            case "delta_fp": return once(&change) { r.string() }
            case "side":
                return once(&side) {
                    r.string().flatMap { r.bytes($0, equal: "yes") ? .yes : r.bytes($0, equal: "no") ? .no : nil }
                }
            case "ts_ms": return once(&tsMs) { r.unsigned() }
            default: return r.skipPlain()
            }
        }
        guard fine, let ticker, let price, let change, let side else { return nil }
        return Delta(
            sid: nil, seq: nil, ticker: ticker, price: price, change: change, side: side, tsMs: tsMs.map { Int64($0) })
    }

    /// Reads a key's value into `slot` once: false, refusing the frame, when the key came before
    /// or `read` finds no value of its shape.
    private static func once<T>(_ slot: inout T?, _ read: () -> T?) -> Bool {
        guard slot == nil, let value = read() else { return false }
        slot = value
        return true
    }

    /// A cursor over the frame's bytes.
    private struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard i < b.count, b[i] == byte else { return false }
            i += 1
            return true
        }

        /// `{ "key": value, … }`, `member` reading each value (false: not this shape).
        mutating func object(_ member: (String, inout Reader) -> Bool) -> Bool {
            guard take(UInt8(ascii: "{")) else { return false }
            if take(UInt8(ascii: "}")) { return true }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")) else { return false }
                skipSpace()
                let name = String(decoding: UnsafeBufferPointer(rebasing: b[key]), as: UTF8.self)
                guard member(name, &self) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}"))
        }

        /// A string without escapes: the range of its contents.
        mutating func string() -> Range<Int>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = i
            while i < b.count, b[i] != UInt8(ascii: "\"") {
                guard b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 else { return nil }
                i += 1
            }
            guard i < b.count else { return nil }
            i += 1
            return start..<(i - 1)
        }

        /// An unsigned integer as JSON writes it (no leading zero), of at most 18 digits; nil for
        /// a sign, a fraction or an exponent.
        mutating func unsigned() -> UInt64? {
            skipSpace()
            let start = i
            var value: UInt64 = 0
            while i < b.count, isDigit(b[i]) {
                guard i - start < 18 else { return nil }
                value = value * 10 + UInt64(b[i] - UInt8(ascii: "0"))
                i += 1
            }
            guard i > start, b[start] != UInt8(ascii: "0") || i - start == 1 else { return nil }
            guard i == b.count || (b[i] != UInt8(ascii: ".") && b[i] | 0x20 != UInt8(ascii: "e")) else { return nil }
            return value
        }

        /// A value the scanner does not read, as JSON allows it: a string (without escapes), a
        /// number, `true`, `false` or `null`. Nested values and anything else refuse.
        mutating func skipPlain() -> Bool {
            skipSpace()
            guard i < b.count else { return false }
            switch b[i] {
            case UInt8(ascii: "\""): return string() != nil
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number()
            }
        }

        /// `-? (0 | [1-9] digits) (. digits)? ([eE] [+-]? digits)?`
        private mutating func number() -> Bool {
            if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > start, b[start] != UInt8(ascii: "0") || i - start == 1 else { return false }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let fraction = i
                while i < b.count, isDigit(b[i]) { i += 1 }
                guard i > fraction else { return false }
            }
            if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                let exponent = i
                while i < b.count, isDigit(b[i]) { i += 1 }
                guard i > exponent else { return false }
            }
            return true
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let end = i + word.utf8CodeUnitCount
            guard end <= b.count, bytes(i..<end, equal: word) else { return false }
            i = end
            return true
        }

        private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

        func bytes(_ range: Range<Int>, equal text: StaticString) -> Bool {
            guard range.count == text.utf8CodeUnitCount else { return false }
            return text.withUTF8Buffer { t in
                for k in 0..<t.count where b[range.lowerBound + k] != t[k] { return false }
                return true
            }
        }
    }
}
