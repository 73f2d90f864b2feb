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
            guard take("{\"markets\":[", b, &i) else { return nil }
            var markets: [MarketsPage.Market] = []
            while i < b.count, b[i] != UInt8(ascii: "]") {
                if !markets.isEmpty { guard take(",", b, &i) else { return nil } }
                guard take("{\"id\":", b, &i), let id = SimDeltaScanner.quoted(b, &i),
                    take(",\"event\":", b, &i), let event = SimDeltaScanner.quoted(b, &i),
                    take(",\"title\":", b, &i), let title = SimDeltaScanner.quoted(b, &i),
                    take(",\"close_time_ns\":", b, &i),
                    let close = SimDeltaScanner.integer(b, &i).flatMap({ Int64(exactly: $0) }),
                    take(",\"tick\":", b, &i), let tick = SimDeltaScanner.quoted(b, &i), take("}", b, &i)
                else { return nil }
                markets.append(
                    MarketsPage.Market(id: id, event: event, title: title, close_time_ns: close, tick: tick))
            }
            guard take("],\"next_cursor\":", b, &i) else { return nil }
            var next: String?
            if !take("null", b, &i) {
                guard let cursor = SimDeltaScanner.quoted(b, &i) else { return nil }
                next = cursor
            }
            guard take("}", b, &i), i == b.count else { return nil }
            return MarketsPage(markets: markets, next_cursor: next)
        }
    }

    /// True, and `i` moved past it, when `text` is at `i`.
    private static func take(_ text: StaticString, _ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        guard SimDeltaScanner.equals(b, i..<min(i + text.utf8CodeUnitCount, b.count), text) else { return false }
        i += text.utf8CodeUnitCount
        return true
    }
}
