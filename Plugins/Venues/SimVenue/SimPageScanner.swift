/// A markets page read straight from its bytes:
/// `{"markets":[{"id":"…","event":"…","title":"…","close_time_ns":N,"tick":"…"},…],"next_cursor":"C"|null}`,
/// every key present, in that order, each exactly where the last ended (no whitespace), as the
/// exchange writes it. Anything else returns nil and the caller decodes the page with
/// `JSONDecoder` instead, which took about 35,000 instructions per market (callgrind): a replay
/// starts by reading every market's page. No key is searched for, so a market missing one can
/// never borrow the next market's value.
enum SimPageScanner {
    static func scan(_ body: [UInt8]) -> MarketsPage? {
        body.withUnsafeBufferPointer { b -> MarketsPage? in
            var i = 0
            guard SimBytes.take("{\"markets\":[", b, &i) else { return nil }
            var markets: [MarketsPage.Market] = []
            while i < b.count, b[i] != UInt8(ascii: "]") {
                if !markets.isEmpty { guard SimBytes.take(",", b, &i) else { return nil } }
                guard SimBytes.take("{\"id\":", b, &i), let id = SimBytes.quoted(b, &i),
                    SimBytes.take(",\"event\":", b, &i), let event = SimBytes.quoted(b, &i),
                    SimBytes.take(",\"title\":", b, &i), let title = SimBytes.quoted(b, &i),
                    SimBytes.take(",\"close_time_ns\":", b, &i),
                    let close = SimBytes.integer(b, &i).flatMap({ Int64(exactly: $0) }),
                    SimBytes.take(",\"tick\":", b, &i), let tick = SimBytes.quoted(b, &i), SimBytes.take("}", b, &i)
                else { return nil }
                markets.append(
                    MarketsPage.Market(id: id, event: event, title: title, close_time_ns: close, tick: tick))
            }
            guard SimBytes.take("],\"next_cursor\":", b, &i) else { return nil }
            var next: String?
            if !SimBytes.take("null", b, &i) {
                guard let cursor = SimBytes.quoted(b, &i) else { return nil }
                next = cursor
            }
            guard SimBytes.take("}", b, &i), i == b.count else { return nil }
            return MarketsPage(markets: markets, next_cursor: next)
        }
    }
}
