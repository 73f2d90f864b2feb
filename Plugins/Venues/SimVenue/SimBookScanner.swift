/// A REST book answer read straight from its bytes:
/// `{"market":"…","seq":N,"yes_bids":[["0.41","120"],…],"no_bids":[…]}`, keys in that order,
/// no whitespace, as the exchange writes it. Anything else returns nil and the caller decodes
/// the body with `JSONDecoder` instead (which took about 117,000 instructions per book, callgrind:
/// a replay starts with one book per market).
enum SimBookScanner {
    static func scan(_ body: [UInt8]) -> BookPayload? {
        body.withUnsafeBufferPointer { b -> BookPayload? in
            var at = 0
            guard let market = SimDeltaScanner.string(after: "\"market\":", in: b, from: &at),
                let seq = SimDeltaScanner.integer(after: "\"seq\":", in: b, from: &at),
                let yes = pairs(after: "\"yes_bids\":", in: b, from: &at),
                let no = pairs(after: "\"no_bids\":", in: b, from: &at)
            else { return nil }
            return BookPayload(market: market, seq: seq, yes_bids: yes, no_bids: no)
        }
    }

    /// `[["a","b"],…]` right after `key`: the pairs of strings; nil for any other shape.
    private static func pairs(after key: StaticString, in b: UnsafeBufferPointer<UInt8>, from at: inout Int)
        -> [[String]]?
    {
        guard var i = SimDeltaScanner.find(key, in: b, from: at), i < b.count, b[i] == UInt8(ascii: "[") else {
            return nil
        }
        i += 1
        var result: [[String]] = []
        while i < b.count, b[i] != UInt8(ascii: "]") {
            guard b[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            guard let first = SimDeltaScanner.quoted(b, &i), i < b.count, b[i] == UInt8(ascii: ",") else { return nil }
            i += 1
            guard let second = SimDeltaScanner.quoted(b, &i), i < b.count, b[i] == UInt8(ascii: "]") else { return nil }
            result.append([first, second])
            i += 1
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
        }
        guard i < b.count else { return nil }
        at = i + 1
        return result
    }
}
