/// A REST book answer read straight from its bytes:
/// `{"market":"…","seq":N,"yes_bids":[["0.41","120"],…],"no_bids":[…]}`, keys in that order,
/// each exactly where the last value ended, no whitespace, as the exchange writes it. Anything
/// else returns nil and the caller decodes the body with `JSONDecoder` instead (which took about
/// 117,000 instructions per book, callgrind: a replay starts with one book per market).
enum SimBookScanner {
    /// A book answer as found in the body: each level's price and size stay where they are, for
    /// the caller to parse in place (a String of each took more than the parse).
    struct Found {
        typealias Pair = (price: Range<Int>, size: Range<Int>)
        var market: String
        var seq: UInt64
        var yesBids: [Pair]
        var noBids: [Pair]
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Found? {
        var i = 0
        guard SimBytes.take("{\"market\":", b, &i), let market = SimBytes.quoted(b, &i),
            SimBytes.take(",\"seq\":", b, &i), let seq = SimBytes.integer(b, &i),
            SimBytes.take(",\"yes_bids\":", b, &i), let yes = pairs(b, &i),
            SimBytes.take(",\"no_bids\":", b, &i), let no = pairs(b, &i),
            SimBytes.take("}", b, &i), i == b.count
        else { return nil }
        return Found(market: market, seq: seq, yesBids: yes, noBids: no)
    }

    /// The pairs of strings `[["a","b"],…]` at `i`; `i` moves past them. Nil for any other shape.
    private static func pairs(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> [Found.Pair]? {
        guard i < b.count, b[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var result: [Found.Pair] = []
        // Room for a usual book side at once: growing from empty reallocated at the 1st, 2nd and
        // 3rd level, 2,300 of the 8,500 instructions a book answer's parse took (callgrind).
        result.reserveCapacity(8)
        while i < b.count, b[i] != UInt8(ascii: "]") {
            guard b[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            guard let first = SimBytes.quotedSpan(b, &i), i < b.count, b[i] == UInt8(ascii: ",") else { return nil }
            i += 1
            guard let second = SimBytes.quotedSpan(b, &i), i < b.count, b[i] == UInt8(ascii: "]") else { return nil }
            result.append((first, second))
            i += 1
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
        }
        guard i < b.count else { return nil }
        i += 1
        return result
    }
}
