/// The stream's hot path: reads a `delta` frame's fields straight from the bytes, in the
/// exchange's own layout: `{"type":"delta","market":"…","seq":N,"side":"yes"|"no","price":"…","size":"…"}`,
/// each key exactly where the last value ended, no whitespace. Anything else (another key order,
/// whitespace, a value with an escape) returns nil, and the caller decodes the frame with
/// `JSONDecoder` instead. Nothing is searched for, so a frame missing a key is never read with
/// another key's value.
enum SimDeltaScanner {
    /// A delta as found in the frame: the market id, price and size stay where they are in the
    /// frame, for the caller to read in place.
    struct Found {
        var market: Range<Int>
        var seq: UInt64
        var isYes: Bool
        var price: Range<Int>
        var size: Range<Int>
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Found? {
        var i = 0
        guard SimBytes.take("{\"type\":\"delta\",\"market\":", b, &i), let market = SimBytes.quotedSpan(b, &i),
            SimBytes.take(",\"seq\":", b, &i), let seq = SimBytes.integer(b, &i), SimBytes.take(",\"side\":", b, &i)
        else { return nil }
        let isYes = SimBytes.take("\"yes\"", b, &i)
        guard isYes || SimBytes.take("\"no\"", b, &i), SimBytes.take(",\"price\":", b, &i),
            let price = SimBytes.quotedSpan(b, &i),
            SimBytes.take(",\"size\":", b, &i), let size = SimBytes.quotedSpan(b, &i), SimBytes.take("}", b, &i),
            i == b.count
        else { return nil }
        return Found(market: market, seq: seq, isYes: isYes, price: price, size: size)
    }
}
