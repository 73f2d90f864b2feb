import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// The stream's hot path: reads a `delta` frame's fields straight from the bytes. The frame is
/// a flat object of plain strings and one integer; a key missing or a value with an escape or
/// in another shape returns nil, and the caller decodes the frame with `JSONDecoder` instead.
enum SimDeltaScanner {
    /// A delta as found in the frame: only the market id becomes a String; the price and size
    /// stay where they are in the frame, for the caller to parse as decimals.
    struct Found {
        var market: String
        var seq: UInt64
        var isYes: Bool
        var price: Range<Int>
        var size: Range<Int>
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Found? {
        // The exchange writes the keys in this order; each search starts where the last ended,
        // and a frame in another order falls back to the decoder.
        var at = 0
        guard let type = span(after: "\"type\":", in: b, from: &at), equals(b, type, "delta"),
            let market = string(after: "\"market\":", in: b, from: &at),
            let seq = integer(after: "\"seq\":", in: b, from: &at),
            let side = span(after: "\"side\":", in: b, from: &at),
            equals(b, side, "yes") || equals(b, side, "no"),
            let price = span(after: "\"price\":", in: b, from: &at),
            let size = span(after: "\"size\":", in: b, from: &at)
        else { return nil }
        return Found(market: market, seq: seq, isYes: equals(b, side, "yes"), price: price, size: size)
    }

    /// True when the bytes at `range` are `text`.
    static func equals(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount
            && text.withUTF8Buffer { t in memcmp(b.baseAddress! + range.lowerBound, t.baseAddress!, t.count) == 0 }
    }

    /// The index just after the first occurrence of `key` at or after `start`.
    static func find(_ key: StaticString, in b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        key.withUTF8Buffer { k -> Int? in
            guard k.count <= b.count else { return nil }
            // The exchange's own layout: the key is next, after the opening brace or a comma.
            let next =
                start < b.count && (b[start] == UInt8(ascii: ",") || b[start] == UInt8(ascii: "{")) ? start + 1 : start
            if next + k.count <= b.count, memcmp(b.baseAddress! + next, k.baseAddress!, k.count) == 0 {
                return next + k.count
            }
            var i = start
            while i + k.count <= b.count {
                if b[i] == k[0] {
                    var j = 1
                    while j < k.count, b[i + j] == k[j] { j += 1 }
                    if j == k.count { return i + j }
                }
                i += 1
            }
            return nil
        }
    }

    /// The string value right after `key` (found at or after `at`); `at` moves past it.
    static func string(after key: StaticString, in b: UnsafeBufferPointer<UInt8>, from at: inout Int)
        -> String?
    {
        span(after: key, in: b, from: &at).map { String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) }
    }

    /// Where the string value right after `key` (found at or after `at`) lies, quotes excluded;
    /// `at` moves past it.
    static func span(after key: StaticString, in b: UnsafeBufferPointer<UInt8>, from at: inout Int) -> Range<Int>? {
        guard var i = find(key, in: b, from: at), let value = quotedSpan(b, &i) else { return nil }
        at = i
        return value
    }

    /// The plain string whose opening quote is at `i`; `i` moves past its closing quote. Nil for
    /// no string there, or one with an escape or a control byte (the decoder's job).
    static func quoted(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> String? {
        quotedSpan(b, &i).map { String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) }
    }

    /// Where the plain string whose opening quote is at `i` lies, quotes excluded (see ``quoted(_:_:)``).
    static func quotedSpan(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Range<Int>? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        var j = i + 1
        let start = j
        while j < b.count, b[j] != UInt8(ascii: "\"") {
            if b[j] == 0x5C || b[j] < 0x20 { return nil }
            j += 1
        }
        guard j < b.count else { return nil }
        i = j + 1
        return start..<j
    }

    /// The integer value right after `key` (found at or after `at`); `at` moves past it.
    static func integer(after key: StaticString, in b: UnsafeBufferPointer<UInt8>, from at: inout Int)
        -> UInt64?
    {
        guard var i = find(key, in: b, from: at) else { return nil }
        defer { at = i }
        return integer(b, &i)
    }

    /// The non-negative integer at `i`, followed by a comma or a closing brace; `i` moves past
    /// its digits. Nil for no digits, an overflow or another byte after them.
    static func integer(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64? {
        var value: UInt64 = 0
        let start = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b[i] - 0x30))
            guard !o1, !o2 else { return nil }
            value = a
            i += 1
        }
        guard i > start, i < b.count, b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "}") else { return nil }
        return value
    }
}
