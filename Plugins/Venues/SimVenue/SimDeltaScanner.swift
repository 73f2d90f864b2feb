import PluginKit

/// The stream's hot path: reads a `delta` frame's fields straight from the bytes. The frame is
/// a flat object of plain strings and one integer; a key missing or a value with an escape or
/// in another shape returns nil, and the caller decodes the frame with `JSONDecoder` instead.
enum SimDeltaScanner {
    struct Delta {
        var market: String
        var seq: UInt64
        var isYes: Bool
        var price: String
        var size: String
    }

    static func scan(_ frame: [UInt8]) -> Delta? {
        frame.withUnsafeBufferPointer { b -> Delta? in
            guard let type = string(after: "\"type\":", in: b), type == "delta",
                let market = string(after: "\"market\":", in: b), let seq = integer(after: "\"seq\":", in: b),
                let side = string(after: "\"side\":", in: b), side == "yes" || side == "no",
                let price = string(after: "\"price\":", in: b), let size = string(after: "\"size\":", in: b)
            else { return nil }
            return Delta(market: market, seq: seq, isYes: side == "yes", price: price, size: size)
        }
    }

    /// The index just after the first occurrence of `key`.
    private static func find(_ key: StaticString, in b: UnsafeBufferPointer<UInt8>) -> Int? {
        key.withUTF8Buffer { k -> Int? in
            guard k.count <= b.count else { return nil }
            var i = 0
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

    private static func string(after key: StaticString, in b: UnsafeBufferPointer<UInt8>) -> String? {
        guard var i = find(key, in: b), i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\"") {
            if b[i] == 0x5C || b[i] < 0x20 { return nil }  // an escape: the decoder's job
            i += 1
        }
        guard i < b.count else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }

    private static func integer(after key: StaticString, in b: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard var i = find(key, in: b) else { return nil }
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
