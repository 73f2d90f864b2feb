import PluginKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hot path of `GET /markets/{ticker}/orderbook`: reads the current `orderbook_fp` shape
/// straight from the bytes into integer levels, without building Foundation objects.
///
/// It accepts exactly `"yes_dollars"` / `"no_dollars"` arrays of `["price", "count"]` decimal
/// strings inside `"orderbook_fp"`, and returns nil for anything else (the legacy cent shape,
/// a missing key, an unexpected token), so the Codable decoder stays the one authority on what
/// a valid payload is; this only makes the common case fast. Measured by `arb-bench-engine parse`.
enum KalshiBookScanner {
    static func scan(_ body: [UInt8], market: String, at time: Nanoseconds) -> BookUpdate? {
        body.withUnsafeBufferPointer { b -> BookUpdate? in
            guard let book = find("\"orderbook_fp\"", in: b, from: 0) else { return nil }
            var update = BookUpdate(kind: .snapshot, marketID: market)
            guard let yes = find("\"yes_dollars\"", in: b, from: book), let yesBids = bestFirst(b, from: yes),
                let no = find("\"no_dollars\"", in: b, from: book), let noBids = bestFirst(b, from: no)
            else { return nil }
            update.yesBids = yesBids
            update.noBids = noBids
            update.receiveTime = time
            return update
        }
    }

    /// The levels of the array after the key ending at `at`, best first.
    static func bestFirst(_ b: UnsafeBufferPointer<UInt8>, from at: Int) -> [Level]? {
        guard var levels = readLevels(b, from: at) else { return nil }
        // Kalshi sends ascending (best last); the ABI wants best first.
        if zip(levels, levels.dropFirst()).allSatisfy({ $0.price < $1.price }) {
            levels.reverse()
        } else {
            levels.sort { $0.price > $1.price }
        }
        return levels
    }

    /// The index just after `needle`, searching from `start`. libc's `memchr` looks for the
    /// needle's second byte (a key's first letter: its opening quote is the payload's most
    /// common byte, and a deep book has hundreds before `"yes_dollars"`), `memcmp` checks the rest.
    static func find(_ needle: StaticString, in b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        needle.withUTF8Buffer { n -> Int? in
            guard let base = b.baseAddress, n.count >= 2 else { return nil }
            let anchor = n[1]
            var i = start + 1
            while i - 1 + n.count <= b.count {
                guard let hit = memchr(base + i, Int32(anchor), b.count - (i - 1) - n.count + 1) else { return nil }
                let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base) - 1
                if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at + n.count }
                i = at + 2
            }
            return nil
        }
    }

    /// `: [ ["0.41", "1.00"], … ]` starting at `i` (after the key).
    static func readLevels(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> [Level]? {
        var i = start
        func skip() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        func expect(_ c: UInt8) -> Bool {
            skip()
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        func decimal(digits: Int) -> Int64? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let begin = i
            while i < b.count, b[i] != UInt8(ascii: "\"") { i += 1 }
            guard i < b.count else { return nil }
            let value = parseDecimal(b, begin, i, fractionDigits: digits)
            i += 1
            return value
        }
        guard expect(UInt8(ascii: ":")), expect(UInt8(ascii: "[")) else { return nil }
        var levels: [Level] = []
        levels.reserveCapacity(64)
        skip()
        if i < b.count, b[i] == UInt8(ascii: "]") { return levels }
        while true {
            guard expect(UInt8(ascii: "[")), let price = decimal(digits: 6), expect(UInt8(ascii: ",")),
                let size = decimal(digits: 2), expect(UInt8(ascii: "]"))
            else { return nil }
            guard price >= 0, price <= FixedPoint.micros, size >= 0 else { return nil }
            levels.append(Level(price: price, size: size))
            skip()
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            return b[i] == UInt8(ascii: "]") ? levels : nil
        }
    }

    /// An unsigned decimal such as `0.4100` as an integer with `fractionDigits` decimals (6 for
    /// micro-dollars, 2 for centi-contracts); nil when it has more digits after the point than that
    /// keeps, or is not a plain decimal. Two passes (whole, then fraction) and a power-of-ten
    /// table: this runs twice per level of every book.
    static func parseDecimal(_ b: UnsafeBufferPointer<UInt8>, _ begin: Int, _ end: Int, fractionDigits scaleDigits: Int)
        -> Int64?
    {
        let scale = powerOfTen(scaleDigits)
        var k = begin
        var whole: Int64 = 0
        while k < end, b[k] != UInt8(ascii: ".") {
            let d = b[k] &- 0x30
            guard d < 10 else { return nil }
            whole = whole &* 10 &+ Int64(d)
            k += 1
        }
        var digits = k - begin
        var fraction: Int64 = 0
        var kept = 0
        if k < end {
            k += 1  // the point
            while k < end {
                let d = b[k] &- 0x30
                guard d < 10 else { return nil }  // also a second point
                if kept < scaleDigits {
                    fraction = fraction &* 10 &+ Int64(d)
                    kept += 1
                } else if d != 0 {
                    return nil  // finer than the scale: let the strict decoder report it
                }
                digits += 1
                k += 1
            }
        }
        guard digits > 0, digits <= 18 else { return nil }
        // A huge count must not trap the host: overflow is "not a value" for the strict decoder.
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        let (value, overflow2) = scaled.addingReportingOverflow(fraction * powerOfTen(scaleDigits - kept))
        return overflow2 ? nil : value
    }

    /// 10ⁿ for n in 0...18. A switch, not a global table: reading a global array went through
    /// its lazy initializer's check on every decimal (twice per level).
    @inline(__always)
    static func powerOfTen(_ n: Int) -> Int64 {
        switch n {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        default: 1_000_000_000_000_000_000
        }
    }
}
