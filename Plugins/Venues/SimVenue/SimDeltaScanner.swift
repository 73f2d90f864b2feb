import PluginKit

/// The stream's hot path: reads a `delta` frame's fields straight from the bytes. The frame is
/// a flat object of plain strings and one integer; a key missing or a value with an escape or
/// in another shape returns nil, and the caller decodes the frame with `JSONDecoder` instead.
enum SimDeltaScanner {
    static func scan(_ frame: [UInt8]) -> DeltaFrame? {
        frame.withUnsafeBufferPointer { b -> DeltaFrame? in
            // The exchange writes the keys in this order; each search starts where the last ended,
            // and a frame in another order falls back to the decoder.
            var at = 0
            guard let type = string(after: "\"type\":", in: b, from: &at), type == "delta",
                let market = string(after: "\"market\":", in: b, from: &at),
                let seq = integer(after: "\"seq\":", in: b, from: &at),
                let side = string(after: "\"side\":", in: b, from: &at), side == "yes" || side == "no",
                let price = string(after: "\"price\":", in: b, from: &at),
                let size = string(after: "\"size\":", in: b, from: &at)
            else { return nil }
            return DeltaFrame(type: type, market: market, seq: seq, side: side, price: price, size: size)
        }
    }

    /// The index just after the first occurrence of `key` at or after `start`.
    static func find(_ key: StaticString, in b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        key.withUTF8Buffer { k -> Int? in
            guard k.count <= b.count else { return nil }
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
        guard var i = find(key, in: b, from: at), let value = quoted(b, &i) else { return nil }
        at = i
        return value
    }

    /// The plain string whose opening quote is at `i`; `i` moves past its closing quote. Nil for
    /// no string there, or one with an escape or a control byte (the decoder's job).
    static func quoted(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> String? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        var j = i + 1
        let start = j
        while j < b.count, b[j] != UInt8(ascii: "\"") {
            if b[j] == 0x5C || b[j] < 0x20 { return nil }
            j += 1
        }
        guard j < b.count else { return nil }
        i = j + 1
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<j]), as: UTF8.self)
    }

    /// The integer value right after `key` (found at or after `at`); `at` moves past it.
    static func integer(after key: StaticString, in b: UnsafeBufferPointer<UInt8>, from at: inout Int)
        -> UInt64?
    {
        guard var i = find(key, in: b, from: at) else { return nil }
        defer { at = i }
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
